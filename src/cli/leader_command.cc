// `raftmq leader transfer --group NAME --to NODE`: asks the group's leader to hand leadership
// to node NODE (a node id of that group).
#include "cli/cli_context.h"
#include "client/admin.h"

namespace raftmq::cli {
namespace {

struct TransferFlags {
  std::string group;
  uint64_t to_node_id = 0;
};

int RunTransfer(const GlobalOptions& global, const TransferFlags& flags) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto admin = client::Admin::Create(*options);
  if (!admin.ok()) return Fail(admin.status());
  Status status = (*admin)->TransferLeadership(flags.group, flags.to_node_id);
  if (!status.ok()) return Fail(status);
  if (global.json) {
    PrintJson({{"group", flags.group}, {"to_node_id", flags.to_node_id}, {"transferred", true}});
  } else {
    PrintLine("leadership of group " + flags.group + " handed to node " + std::to_string(flags.to_node_id));
  }
  return kExitOk;
}

}  // namespace

void AddLeaderCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<TransferFlags>();
  CLI::App* leader = app.add_subcommand("leader", "Raft leadership of a broker group");
  leader->require_subcommand(1);
  CLI::App* transfer = leader->add_subcommand("transfer", "hand a group's leadership to another of its nodes");
  transfer->add_option("--group", flags->group, "broker group name")->required();
  transfer->add_option("--to", flags->to_node_id, "node id to lead")->required()->check(CLI::PositiveNumber);
  transfer->callback([&global, action, flags] { *action = [&global, flags] { return RunTransfer(global, *flags); }; });
}

}  // namespace raftmq::cli
