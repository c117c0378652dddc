#include "chaos/convergence.h"

#include <algorithm>
#include <cstdint>
#include <thread>

namespace raftmq::chaos {
namespace {

constexpr int64_t kProbeTimeoutMs = 2000;
constexpr int64_t kDigestTimeoutMs = 60000;
constexpr int64_t kPollMs = 250;

std::vector<size_t> Members(const NodeProbe& probe, int group) {
  std::vector<size_t> members;
  for (size_t i = 0; i < probe.nodes().size(); ++i) {
    if (probe.nodes()[i].group == group) members.push_back(i);
  }
  return members;
}

// Empty when every member answers with one commit index and has applied up to it; else what
// is behind.
std::string Behind(const NodeProbe& probe, const std::vector<size_t>& members) {
  uint64_t commit_max = 0;
  std::vector<admin::NodeStatusResponse> statuses;
  for (size_t node : members) {
    auto status = probe.NodeStatus(node, kProbeTimeoutMs);
    if (!status.ok()) return probe.nodes()[node].name + " does not answer (" + status.status().message() + ")";
    commit_max = std::max(commit_max, status->commit_index());
    statuses.push_back(*status);
  }
  std::string behind;
  for (size_t i = 0; i < members.size(); ++i) {
    const auto& status = statuses[i];
    if (status.commit_index() != commit_max || status.applied_index() != commit_max) {
      behind += probe.nodes()[members[i]].name + " commit " + std::to_string(status.commit_index()) + " applied " +
                std::to_string(status.applied_index()) + " (group commit " + std::to_string(commit_max) + "); ";
    }
  }
  return behind;
}

// The committed entries every member that answers holds: from the highest first index (retention
// and snapshot installs leave nodes with different prefixes) to the lowest commit index.
struct CommonRange {
  uint64_t from = 0;
  uint64_t to = 1;
};

CommonRange CommonEntries(const NodeProbe& probe, const std::vector<size_t>& members) {
  uint64_t first_max = 0;
  uint64_t commit_min = UINT64_MAX;
  for (size_t node : members) {
    auto status = probe.NodeStatus(node, kProbeTimeoutMs);
    if (!status.ok()) continue;
    first_max = std::max(first_max, status->first_index());
    commit_min = std::min(commit_min, status->commit_index());
  }
  return CommonRange{first_max, commit_min == UINT64_MAX || commit_min == 0 ? 1 : commit_min};
}

void CompareDigests(const NodeProbe& probe, int group, const std::vector<size_t>& members, ConvergenceResult* result) {
  const CommonRange common = CommonEntries(probe, members);
  std::vector<std::pair<size_t, admin::LogDigestResponse>> digests;
  for (size_t node : members) {
    NodeDigest row;
    row.name = probe.nodes()[node].name;
    auto digest = probe.Digest(node, common.from, common.to, kDigestTimeoutMs);
    if (!digest.ok()) {
      row.error = digest.status().message();
      result->violations.push_back(row.name + ": no log digest: " + row.error);
    } else {
      row.commit_index = digest->commit_index();
      row.applied_index = digest->applied_index();
      row.first_index = digest->first_index();
      row.digest_index = digest->index();
      row.crc = digest->crc();
      digests.push_back({node, *digest});
    }
    result->nodes.push_back(row);
  }
  for (size_t i = 1; i < digests.size(); ++i) {
    const auto& [node, digest] = digests[i];
    const auto& [reference_node, reference] = digests[0];
    const std::string pair = probe.nodes()[node].name + " vs " + probe.nodes()[reference_node].name;
    if (digest.index() != reference.index() || digest.first_index() != reference.first_index() ||
        digest.crc() != reference.crc()) {
      result->violations.push_back("g" + std::to_string(group) + ": committed logs differ: " + pair + " (entries " +
                                   std::to_string(digest.first_index()) + ".." + std::to_string(digest.index()) +
                                   " crc " + std::to_string(digest.crc()) + " vs " +
                                   std::to_string(reference.first_index()) + ".." + std::to_string(reference.index()) +
                                   " crc " + std::to_string(reference.crc()) + ")");
    }
    if (digest.queues_size() != reference.queues_size()) {
      result->violations.push_back("g" + std::to_string(group) + ": ConsumeQueue sets differ: " + pair);
      continue;
    }
    for (int q = 0; q < digest.queues_size(); ++q) {
      const auto& mine = digest.queues(q);
      const auto& theirs = reference.queues(q);
      if (mine.topic() != theirs.topic() || mine.queue_id() != theirs.queue_id() ||
          mine.min_offset() != theirs.min_offset() || mine.max_offset() != theirs.max_offset()) {
        result->violations.push_back("g" + std::to_string(group) + ": ConsumeQueue " + mine.topic() + "#" +
                                     std::to_string(mine.queue_id()) + " differs: " + pair + " ([" +
                                     std::to_string(mine.min_offset()) + ", " + std::to_string(mine.max_offset()) +
                                     ") vs [" + std::to_string(theirs.min_offset()) + ", " +
                                     std::to_string(theirs.max_offset()) + "))");
      }
    }
  }
}

}  // namespace

ConvergenceResult CheckConvergence(const NodeProbe& probe, int groups, const RunClock& clock, int64_t settle_ms_max) {
  ConvergenceResult result;
  const int64_t start = clock.NowMs();
  for (int group = 1; group <= groups; ++group) {
    const std::vector<size_t> members = Members(probe, group);
    std::string behind;
    while (!(behind = Behind(probe, members)).empty() && clock.NowMs() - start < settle_ms_max) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
    if (!behind.empty()) {
      result.violations.push_back("g" + std::to_string(group) + ": not caught up " +
                                  std::to_string(settle_ms_max / 1000) + " s after the final heal: " + behind);
    }
    CompareDigests(probe, group, members, &result);
  }
  if (result.violations.empty()) result.converged_after_ms = clock.NowMs() - start;
  return result;
}

}  // namespace raftmq::chaos
