#include <fstream>

#include <nlohmann/json.hpp>

#include "chaos/report.h"

namespace raftmq::chaos {

Status WriteJson(const RunReport& report, const std::string& path) {
  const ChaosOptions& options = *report.options;
  const CheckResult& check = report.check;
  nlohmann::json json;
  json["passed"] = report.passed();
  json["violations"] = report.Violations();
  json["options"] = {{"seed", options.seed},       {"duration_s", options.duration_s}, {"nemeses", options.nemeses},
                     {"nodes", options.nodes},     {"groups", options.groups},         {"flush", options.flush},
                     {"loopback", options.loopback}, {"send_rate_per_s", options.send_rate_per_s}};
  json["run_ms"] = report.run_ms;
  json["sends"] = {{"sent", check.sent},           {"acknowledged", check.acknowledged},
                   {"failed", check.failed},       {"unknown", check.unknown},
                   {"unknown_stored", check.unknown_stored}, {"failed_stored", check.failed_stored}};
  json["drain"] = {{"read", check.drained},       {"lost", check.lost},           {"lost_ids", check.lost_ids},
                   {"misplaced", check.misplaced}, {"phantom", check.phantom},     {"duplicated", check.duplicated},
                   {"reordered", check.reordered}};
  json["push"] = {{"received", check.push_received}, {"redelivered", check.push_redelivered},
                  {"missed", check.push_missed}};
  json["longest_gap_ms"] = check.longest_gap_ms;
  nlohmann::json faults = nlohmann::json::array();
  const auto& recorded = report.history->faults();
  for (size_t i = 0; i < recorded.size(); ++i) {
    faults.push_back({{"kind", recorded[i].kind},
                      {"target", recorded[i].target},
                      {"start_ms", recorded[i].start_ms},
                      {"heal_ms", recorded[i].heal_ms},
                      {"note", recorded[i].note},
                      {"majority_connected", recorded[i].majority_connected},
                      {"unavailable_ms", check.faults[i].unavailable_ms},
                      {"longest_gap_ms", check.faults[i].longest_gap_ms}});
  }
  json["faults"] = faults;
  nlohmann::json kinds = nlohmann::json::array();
  for (const KindAvailability& kind : check.kinds) {
    kinds.push_back({{"kind", kind.kind},
                     {"count", kind.count},
                     {"without_majority", kind.without_majority},
                     {"median_unavailable_ms", kind.median_unavailable_ms},
                     {"max_unavailable_ms", kind.max_unavailable_ms},
                     {"max_gap_ms", kind.max_gap_ms}});
  }
  json["unavailability_by_kind"] = kinds;
  nlohmann::json leaders = nlohmann::json::array();
  for (const LeaderChange& change : report.history->leaders()) {
    leaders.push_back({{"group", change.group}, {"leader", change.leader}, {"term", change.term}, {"at_ms", change.at_ms}});
  }
  json["leader_changes"] = leaders;
  nlohmann::json exits = nlohmann::json::array();
  for (const ProcessExit& exit : report.history->exits()) {
    exits.push_back({{"node", exit.node}, {"at_ms", exit.at_ms}, {"how", exit.how}, {"restarted_ms", exit.restarted_ms}});
  }
  json["exits"] = exits;
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeDigest& node : report.convergence.nodes) {
    nodes.push_back({{"node", node.name},
                     {"commit_index", node.commit_index},
                     {"applied_index", node.applied_index},
                     {"first_index", node.first_index},
                     {"digest_index", node.digest_index},
                     {"crc", node.crc},
                     {"error", node.error}});
  }
  json["final_nodes"] = nodes;
  json["converged_after_ms"] = report.convergence.converged_after_ms;
  std::ofstream file(path);
  file << json.dump(2) << "\n";
  if (!file) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace raftmq::chaos
