// Scenario files (etcd-io/raft's testdata shape): tests/raft/scenarios/*.txt open with prose
// on their goal, then blocks of
//     command args
//     ----
//     the exact transcript (Readys, deliveries, results)
// separated by blank lines. A change in behaviour shows as a transcript diff; after review,
// regenerate with RAFTMQ_REWRITE=1 ./build/tests/raft/raft_core_test --gtest_filter='CoreScenarios.*'.
//
// Commands: nodes <n> [voters=<k>] [promote_lag=<entries>] [established] [pre_vote=false] [check_quorum=false] [preferred_leader=<id>]
// (voters=k: only nodes 1..k form the bootstrap configuration, the rest start joining, to be added;
// established: a group that ran before, at term 1, so nobody starts recovering);
// campaign <id>; tick <id> <n>; deliver (one round); stabilize; propose <id> <payload>;
// transfer <id> <target>; isolate <id>; heal; status;
// restart <id> [keep=<n>] [power_loss] (the log cut back to n, as a torn tail or a power loss
// leaves it; power_loss: the driver saw a new boot id under async flush);
// read <id> <request> (Core::ReadIndex);
// compact <id> <first> (a snapshot at the node's applied index, then its log starts at first);
// report-snapshot <id> <to> delivered|failed (the driver's Core::ReportSnapshot);
// conf <id> add-learner|promote|remove <node> (Core::ProposeConfChange); members (each node's
// configuration in force and applied, and the leader's Peers()).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "core_harness.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {
namespace {

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

class ScenarioRunner {
 public:
  std::string Run(const std::string& command_line) {
    std::vector<std::string> args = Split(command_line);
    std::string out;
    if (args.empty()) return "error: empty command\n";
    const std::string& command = args[0];
    if (command == "nodes") return Nodes(args);
    if (!group_) return "error: nodes first\n";
    group_->set_trace(&out);
    if (command == "campaign") {
      group_->core(Id(args, 1)).Campaign();
      group_->Process();
    } else if (command == "tick") {
      group_->Tick(Id(args, 1), static_cast<uint32_t>(std::stoul(args.at(2))));
    } else if (command == "deliver") {
      DeliverRound(out);
    } else if (command == "stabilize") {
      for (int round = 0; round < 100 && DeliverRound(out); ++round) {
      }
    } else if (command == "propose") {
      Result<Index> index = group_->core(Id(args, 1)).Propose(kApplicationEntry, args.at(2));
      out += index.ok() ? "index " + std::to_string(index->value()) + "\n" : index.status().ToString() + "\n";
      group_->Process();
    } else if (command == "transfer") {
      out += group_->core(Id(args, 1)).TransferLeadership(Id(args, 2)).ToString() + "\n";
      group_->Process();
    } else if (command == "isolate") {
      group_->Isolate(Id(args, 1));
    } else if (command == "heal") {
      group_->Heal();
    } else if (command == "restart") {
      RestartNode(args);
    } else if (command == "read") {
      out += group_->core(Id(args, 1)).ReadIndex(std::stoull(args.at(2))).ToString() + "\n";
      group_->Process();
    } else if (command == "compact") {
      group_->Compact(Id(args, 1), Index(std::stoull(args.at(2))));
    } else if (command == "report-snapshot") {
      group_->core(Id(args, 1)).ReportSnapshot(Id(args, 2), args.at(3) == "delivered");
      group_->Process();
    } else if (command == "conf") {
      Conf(args, out);
    } else if (command == "members") {
      Members(out);
    } else if (command == "status") {
      Status(out);
    } else {
      out += "error: unknown command " + command + "\n";
    }
    group_->set_trace(nullptr);
    return out.empty() ? "ok\n" : out;
  }

 private:
  static NodeId Id(const std::vector<std::string>& args, size_t at) { return std::stoull(args.at(at)); }

  std::string Nodes(const std::vector<std::string>& args) {
    CoreOptions options = TestOptions();
    size_t voters = 0;
    bool established = false;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "established") established = true;
      if (args[i].starts_with("voters=")) voters = std::stoul(args[i].substr(7));
      if (args[i].starts_with("promote_lag=")) options.learner_promote_lag_entries_max = std::stoull(args[i].substr(12));
      if (args[i] == "pre_vote=false") options.pre_vote = false;
      if (args[i] == "check_quorum=false") options.check_quorum = false;
      if (args[i].starts_with("preferred_leader=")) options.preferred_leader = std::stoull(args[i].substr(17));
    }
    count_ = std::stoul(args.at(1));
    group_ = std::make_unique<CoreHarness>(count_, options, voters);
    if (established) group_->StartEstablished(Term(1));
    return "ok\n";
  }

  void Conf(const std::vector<std::string>& args, std::string& out) {
    const std::string& type = args.at(2);
    ConfChange change{.node = Id(args, 3)};
    if (type == "add-learner") {
      change.type = ConfChangeType::kAddLearner;
    } else if (type == "promote") {
      change.type = ConfChangeType::kPromote;
    } else if (type == "remove") {
      change.type = ConfChangeType::kRemove;
    } else {
      out += "error: unknown change " + type + "\n";
      return;
    }
    Result<Index> index = group_->core(Id(args, 1)).ProposeConfChange(change);
    out += index.ok() ? "index " + std::to_string(index->value()) + "\n" : index.status().ToString() + "\n";
    group_->Process();
  }

  void RestartNode(const std::vector<std::string>& args) {
    const NodeId id = Id(args, 1);
    bool power_lost = false;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i].starts_with("keep=")) group_->CutLog(id, Index(std::stoull(args[i].substr(5))));
      if (args[i] == "power_loss") power_lost = true;
    }
    group_->Restart(id, power_lost);
    group_->Process();
  }

  bool DeliverRound(std::string& out) {
    std::vector<Message> messages = group_->TakeOutbox();
    for (const Message& message : messages) {
      out += (group_->Dropped(message) ? "drop " : "deliver ") + DescribeMessage(message) + "\n";
      group_->Deliver(message);
    }
    return !messages.empty();
  }

  void Status(std::string& out) {
    for (NodeId id = 1; id <= count_; ++id) {
      Core& core = group_->core(id);
      out += "n" + std::to_string(id) + " " + std::string(RoleName(core.role())) + " term=" +
             std::to_string(core.term().value()) + " leader=" + std::to_string(core.leader()) +
             (group_->node(id).log.FirstIndex() > Index(1)
                  ? " first=" + std::to_string(group_->node(id).log.FirstIndex().value())
                  : std::string()) +
             " last=" + std::to_string(core.last_index().value()) + " commit=" +
             std::to_string(core.commit_index().value()) + " applied=" + std::to_string(core.applied_index().value()) +
             (core.recovering() ? " recovering" : "") + "\n";
    }
  }

  void Members(std::string& out) {
    for (NodeId id = 1; id <= count_; ++id) {
      Core& core = group_->core(id);
      out += "n" + std::to_string(id) + " " + DescribeConfState(core.configuration()) +
             " (applied: " + DescribeConfState(core.applied_configuration()) + ")";
      for (const PeerStatus& peer : core.Peers()) {
        out += " peer " + std::to_string(peer.id) + (peer.learner ? " learner" : " voter") + " match=" +
               std::to_string(peer.match.value());
      }
      out += "\n";
    }
  }

  std::unique_ptr<CoreHarness> group_;
  size_t count_ = 0;
};

// Runs one file; returns its text with the transcripts the code produces now.
std::string RunScenario(const std::string& text) {
  std::istringstream in(text);
  std::string rewritten;
  ScenarioRunner runner;
  std::string line;
  while (std::getline(in, line)) {
    rewritten += line + "\n";
    if (line.empty() || line.starts_with("#")) continue;
    std::string separator;
    std::getline(in, separator);
    rewritten += "----\n" + runner.Run(line);
    // Skip the old transcript up to the blank line that ends the block.
    for (std::string old; std::getline(in, old) && !old.empty();) {
    }
    rewritten += "\n";
  }
  return rewritten;
}

TEST(CoreScenarios, TranscriptsMatch) {
  const bool rewrite = std::getenv("RAFTMQ_REWRITE") != nullptr;
  size_t files = 0;
  for (const auto& file : std::filesystem::directory_iterator(RAFTMQ_SCENARIO_DIR)) {
    if (file.path().extension() != ".txt") continue;
    ++files;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string actual = RunScenario(text.str());
    if (rewrite) {
      std::ofstream(file.path()) << actual;
      continue;
    }
    EXPECT_EQ(text.str(), actual) << file.path() << " differs; review, then rewrite with RAFTMQ_REWRITE=1";
  }
  EXPECT_GT(files, 0u);
}

}  // namespace
}  // namespace raftmq::raft::test
