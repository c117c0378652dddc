// `raftmq group add-node|remove-node|replace-node|status --group NAME ...`: a broker group's
// Raft membership, one change at a time through its leader (admin.proto ChangeMembership).
//
//   add-node      adds the node as a learner, waits until it caught up (the leader refuses the
//                 promotion while it lags: ABORTED), then promotes it to voter;
//   remove-node   removes a voter or a learner (the leader itself too: it steps down once
//                 the removal commits);
//   replace-node  add-node of the new node, then remove-node of the old one (a dead node is
//                 replaced so: the group keeps its majority throughout);
//   status        the members as the leader sees them: role, address, match, lag.
//
// Each step is idempotent: a step found already done (the node already a member, already a
// voter, already gone) counts as done, so a command cut off or answered with an unknown
// outcome is simply run again. Waits show progress on stderr once a second.
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "cli/cli_context.h"
#include "client/admin.h"

namespace raftmq::cli {
namespace {

using Clock = std::chrono::steady_clock;
// Between two tries of a step the leader refused for now (a learner still catching up, the
// previous change not committed yet, a leader change).
constexpr auto kRetryInterval = std::chrono::milliseconds(500);
constexpr auto kProgressInterval = std::chrono::seconds(1);
// `status` asks again this long while the group elects a leader (an election takes well
// under a second; a group without a majority never answers).
constexpr auto kStatusWait = std::chrono::seconds(10);

struct MembershipFlags {
  std::string group;
  uint64_t node_id = 0;
  uint64_t new_node_id = 0;  // replace-node
  std::string address;
  int64_t timeout_ms = 600'000;
};

const admin::GroupMember* FindMember(const admin::GroupMembersResponse& members, uint64_t node) {
  for (const admin::GroupMember& member : members.members()) {
    if (member.node_id() == node) return &member;
  }
  return nullptr;
}

// A step of a membership change: the request, and when the group shows it done.
struct Step {
  admin::ChangeMembershipRequest request;
  std::string what;  // "add node 4 as a learner"
  std::function<bool(const admin::GroupMembersResponse&)> done;
};

bool Retryable(const Status& status) {
  return status.IsAborted() || status.IsUnavailable() || status.IsDeadlineExceeded();
}

void ShowWait(const Step& step, const Status& refused, const Result<admin::GroupMembersResponse>& members) {
  std::string line = "[group] " + step.what + ": waiting (" + refused.ToString() + ")";
  if (members.ok()) {
    if (const admin::GroupMember* member = FindMember(*members, step.request.node_id())) {
      line += "; match " + std::to_string(member->match_index()) + " of the leader's " +
              std::to_string(members->last_index());
    }
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Runs `step` until the group shows it done, retrying what the leader refuses for now.
Status RunStep(client::Admin& admin, const std::string& group, const Step& step, Clock::time_point deadline) {
  Clock::time_point shown;
  for (;;) {
    const Status changed = admin.ChangeMembership(group, step.request);
    if (changed.ok()) return Status::Ok();
    // Refused or unknown: the members tell whether it is done already (a retry of a step that
    // applied, an earlier run cut off).
    Result<admin::GroupMembersResponse> members = admin.GroupMembers(group);
    if (members.ok() && step.done(*members)) return Status::Ok();
    if (!Retryable(changed)) return changed.WithContext(step.what);
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded(step.what + ": still refused at the timeout: " + changed.ToString());
    }
    if (Clock::now() - shown >= kProgressInterval) {
      ShowWait(step, changed, members);
      shown = Clock::now();
    }
    std::this_thread::sleep_for(kRetryInterval);
  }
}

Step AddLearner(uint64_t node, const std::string& address) {
  Step step{.what = "add node " + std::to_string(node) + " as a learner"};
  step.request.set_change(admin::ADD_LEARNER);
  step.request.set_node_id(node);
  step.request.set_address(address);
  // A member at another address is not this step done: the leader's refusal stands.
  step.done = [node, address](const admin::GroupMembersResponse& members) {
    const admin::GroupMember* member = FindMember(members, node);
    return member != nullptr && member->address() == address;
  };
  return step;
}

Step Promote(uint64_t node) {
  Step step{.what = "promote learner " + std::to_string(node) + " to voter"};
  step.request.set_change(admin::PROMOTE_LEARNER);
  step.request.set_node_id(node);
  step.done = [node](const admin::GroupMembersResponse& members) {
    const admin::GroupMember* member = FindMember(members, node);
    return member != nullptr && member->voter();
  };
  return step;
}

Step Remove(uint64_t node) {
  Step step{.what = "remove node " + std::to_string(node)};
  step.request.set_change(admin::REMOVE_NODE);
  step.request.set_node_id(node);
  step.done = [node](const admin::GroupMembersResponse& members) { return FindMember(members, node) == nullptr; };
  return step;
}

// The members, asking again while the group has no leader to answer (an election, a leader
// that just removed itself) until `deadline`.
Result<admin::GroupMembersResponse> WaitForMembers(client::Admin& admin, const std::string& group,
                                                   Clock::time_point deadline) {
  for (;;) {
    Result<admin::GroupMembersResponse> members = admin.GroupMembers(group);
    if (members.ok() || !Retryable(members.status()) || Clock::now() >= deadline) return members;
    std::this_thread::sleep_for(kRetryInterval);
  }
}

int PrintMembers(const GlobalOptions& global, client::Admin& admin, const std::string& group,
                 Clock::time_point deadline) {
  auto members = WaitForMembers(admin, group, deadline);
  if (!members.ok()) return Fail(members.status());
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const admin::GroupMember& member : members->members()) {
    const bool leader = member.node_id() == members->leader_id();
    const std::string role = leader ? "leader" : (member.voter() ? "voter" : "learner");
    const uint64_t lag = members->last_index() - std::min(member.match_index(), members->last_index());
    list.push_back({{"node_id", member.node_id()},
                    {"address", member.address()},
                    {"role", role},
                    {"match_index", member.match_index()},
                    {"lag", lag},
                    {"recent_active", member.recent_active()}});
    rows.push_back({std::to_string(member.node_id()), member.address(), role, std::to_string(member.match_index()),
                    std::to_string(lag), member.recent_active() ? "yes" : "no"});
  }
  if (global.json) {
    PrintJson({{"group", group},
               {"leader_id", members->leader_id()},
               {"term", members->term()},
               {"commit_index", members->commit_index()},
               {"members", list}});
    return kExitOk;
  }
  PrintLine("group " + group + ": leader " + std::to_string(members->leader_id()) + ", term " +
            std::to_string(members->term()) + ", commit " + std::to_string(members->commit_index()));
  PrintTable({"node", "address", "role", "match", "lag", "active"}, rows);
  return kExitOk;
}

// Runs `steps` in turn, then prints the members.
int Run(const GlobalOptions& global, const MembershipFlags& flags, const std::vector<Step>& steps) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto admin = client::Admin::Create(*options);
  if (!admin.ok()) return Fail(admin.status());
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(flags.timeout_ms);
  std::string done;  // the steps done, for a failure after them: the group keeps them
  for (const Step& step : steps) {
    Status status = RunStep(**admin, flags.group, step, deadline);
    if (!status.ok()) {
      if (done.empty()) return Fail(status);
      return Fail(status.ToString() + " (done before it, and kept: " + done +
                  "; run the command again, or undo with raftmq group remove-node)");
    }
    if (!global.json) PrintLine(step.what + ": done");
    done += (done.empty() ? "" : ", ") + step.what;
  }
  return PrintMembers(global, **admin, flags.group, deadline);
}

CLI::App* AddChange(CLI::App* group, const std::string& name, const std::string& description,
                    MembershipFlags* flags) {
  CLI::App* command = group->add_subcommand(name, description);
  command->add_option("--group", flags->group, "broker group name")->required();
  command
      ->add_option("--timeout-ms", flags->timeout_ms,
                   "give up when the change is not done after this long (all its steps; a learner catching up)")
      ->check(CLI::PositiveNumber);
  return command;
}

}  // namespace

void AddMembershipCommands(CLI::App* group, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<MembershipFlags>();
  CLI::App* add = AddChange(group, "add-node", "add a node to a broker group: a learner until caught up, then a voter",
                            flags.get());
  add->add_option("--node-id", flags->node_id, "the new node's id (unused in the group)")
      ->required()
      ->check(CLI::PositiveNumber);
  add->add_option("--address", flags->address, "host:port where the group reaches the new node")->required();
  add->callback([&global, action, flags] {
    *action = [&global, flags] {
      return Run(global, *flags, {AddLearner(flags->node_id, flags->address), Promote(flags->node_id)});
    };
  });

  CLI::App* remove =
      AddChange(group, "remove-node", "remove a node (voter or learner) from a broker group", flags.get());
  remove->add_option("--node-id", flags->node_id, "the node to remove")->required()->check(CLI::PositiveNumber);
  remove->callback([&global, action, flags] {
    *action = [&global, flags] { return Run(global, *flags, {Remove(flags->node_id)}); };
  });

  CLI::App* replace = AddChange(group, "replace-node", "add a new node (as add-node does), then remove an old one",
                                flags.get());
  replace->add_option("--node-id", flags->node_id, "the node to replace")->required()->check(CLI::PositiveNumber);
  replace->add_option("--new-node-id", flags->new_node_id, "the new node's id (unused in the group)")
      ->required()
      ->check(CLI::PositiveNumber);
  replace->add_option("--address", flags->address, "host:port where the group reaches the new node")->required();
  replace->callback([&global, action, flags] {
    *action = [&global, flags] {
      return Run(global, *flags,
                 {AddLearner(flags->new_node_id, flags->address), Promote(flags->new_node_id), Remove(flags->node_id)});
    };
  });

  CLI::App* status = group->add_subcommand("status", "a broker group's members as its leader sees them");
  status->add_option("--group", flags->group, "broker group name")->required();
  status->callback([&global, action, flags] {
    *action = [&global, flags] {
      auto options = ToClientOptions(global);
      if (!options.ok()) return Fail(options.status());
      auto admin = client::Admin::Create(*options);
      if (!admin.ok()) return Fail(admin.status());
      return PrintMembers(global, **admin, flags->group, Clock::now() + kStatusWait);
    };
  });
}

}  // namespace raftmq::cli
