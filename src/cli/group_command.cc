// `raftmq group lag --group G [--topic T]`: per queue, the broker's max offset, the group's
// committed offset and the lag between them, with the total. The broker group membership
// subcommands are in membership_command.cc.
#include "cli/cli_context.h"
#include "client/admin.h"

namespace raftmq::cli {
namespace {

struct LagFlags {
  std::string group;
  std::string topic;
};

int RunLag(const GlobalOptions& global, const LagFlags& flags) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto admin = client::Admin::Create(*options);
  if (!admin.ok()) return Fail(admin.status());
  auto lags = (*admin)->ConsumerProgress(flags.group, flags.topic);
  if (!lags.ok()) return Fail(lags.status());
  int64_t total = 0;
  nlohmann::json queues = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const client::GroupQueueLag& entry : *lags) {
    const admin::QueueLag& lag = entry.lag;
    total += lag.lag();
    queues.push_back({{"broker_group", entry.broker_group},
                      {"topic", lag.topic()},
                      {"queue_id", lag.queue_id()},
                      {"broker_max_offset", lag.broker_max_offset()},
                      {"consumer_offset", lag.consumer_offset()},
                      {"lag", lag.lag()}});
    rows.push_back({lag.topic(), entry.broker_group, std::to_string(lag.queue_id()),
                    std::to_string(lag.broker_max_offset()),
                    lag.consumer_offset() < 0 ? "-" : std::to_string(lag.consumer_offset()), std::to_string(lag.lag())});
  }
  if (global.json) {
    PrintJson({{"group", flags.group}, {"queues", queues}, {"total_lag", total}});
    return kExitOk;
  }
  PrintTable({"topic", "broker group", "queue", "broker max", "consumer offset", "lag"}, rows);
  PrintLine("total lag: " + std::to_string(total));
  return kExitOk;
}

}  // namespace

void AddGroupCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<LagFlags>();
  CLI::App* group = app.add_subcommand("group", "consumer groups (lag) and broker groups' membership");
  group->require_subcommand(1);
  CLI::App* lag = group->add_subcommand("lag", "a consumer group's progress and lag per queue");
  lag->add_option("--group", flags->group, "consumer group")->required();
  lag->add_option("--topic", flags->topic, "only this topic (default: every topic the group committed on)");
  lag->callback([&global, action, flags] { *action = [&global, flags] { return RunLag(global, *flags); }; });
  AddMembershipCommands(group, global, action);
}

}  // namespace raftmq::cli
