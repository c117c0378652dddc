// `raftmq cluster status`: every group and node: address, role, term, commit index, applied
// index, replication lag and last heartbeat (as the nameserver saw it). A node saying LEADER
// at an older term than another node reports is shown as `stale-leader`; a node that may have
// lost acknowledged entries and has not caught up yet, as `recovering`.
#include "cli/cli_context.h"
#include "client/admin.h"

namespace raftmq::cli {
namespace {

std::string RoleName(const client::NodeReport& report) {
  // A leader of an older term than another node reports (group_leader.h).
  if (report.stale_leader) return "stale-leader";
  // May have lost acknowledged entries: neither votes nor counts until it caught up.
  if (report.status.recovering()) return "recovering";
  switch (report.status.role()) {
    case admin::LEADER:
      return "leader";
    case admin::CANDIDATE:
      return "candidate";
    default:
      return "follower";
  }
}

nlohmann::json ReportJson(const client::NodeReport& report) {
  nlohmann::json node = {{"cluster", report.cluster_name},
                         {"group", report.broker_group},
                         {"node_id", report.node.node_id()},
                         {"address", report.node.address()},
                         {"last_heartbeat_age_ms", report.node.last_heartbeat_age_ms()},
                         {"last_heartbeat_unix_ms", report.node.last_heartbeat_unix_ms()}};
  if (!report.error.ok()) {
    node["error"] = report.error.ToString();
    return node;
  }
  node["role"] = RoleName(report);
  node["term"] = report.status.term();
  node["commit_index"] = report.status.commit_index();
  node["applied_index"] = report.status.applied_index();
  node["last_index"] = report.status.last_index();
  node["replication_lag"] = report.replication_lag;
  return node;
}

std::vector<std::string> ReportRow(const client::NodeReport& report) {
  const std::string heartbeat = std::to_string(report.node.last_heartbeat_age_ms()) + " ms ago";
  std::vector<std::string> row = {report.broker_group, std::to_string(report.node.node_id()), report.node.address()};
  if (!report.error.ok()) {
    row.insert(row.end(), {"unreachable", "-", "-", "-", "-", heartbeat});
    return row;
  }
  row.insert(row.end(), {RoleName(report), std::to_string(report.status.term()),
                         std::to_string(report.status.commit_index()), std::to_string(report.status.applied_index()),
                         report.replication_lag < 0 ? "-" : std::to_string(report.replication_lag), heartbeat});
  return row;
}

int RunStatus(const GlobalOptions& global) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto admin = client::Admin::Create(*options);
  if (!admin.ok()) return Fail(admin.status());
  auto reports = (*admin)->ClusterStatus();
  if (!reports.ok()) return Fail(reports.status());
  if (global.json) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const client::NodeReport& report : *reports) nodes.push_back(ReportJson(report));
    PrintJson(nodes);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const client::NodeReport& report : *reports) rows.push_back(ReportRow(report));
  PrintTable({"group", "node", "address", "role", "term", "commit", "applied", "lag", "last heartbeat"}, rows);
  return kExitOk;
}

}  // namespace

void AddClusterCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  CLI::App* cluster = app.add_subcommand("cluster", "the cluster's groups and nodes");
  cluster->require_subcommand(1);
  CLI::App* status = cluster->add_subcommand("status", "every group and node: role, term, indexes, lag, heartbeat");
  status->callback([&global, action] { *action = [&global] { return RunStatus(global); }; });
}

}  // namespace raftmq::cli
