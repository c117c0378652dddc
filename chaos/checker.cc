#include "chaos/checker.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace raftmq::chaos {
namespace {

constexpr size_t kIdsReportedMax = 20;

using Position = std::tuple<std::string, int32_t, int64_t>;  // group, queue, offset

void CountOutcomes(const History& history, CheckResult* result) {
  for (const SendRecord& send : history.sends()) {
    ++result->sent;
    if (send.outcome == SendOutcome::kAcknowledged) ++result->acknowledged;
    if (send.outcome == SendOutcome::kFailed) ++result->failed;
    if (send.outcome == SendOutcome::kUnknown) ++result->unknown;
  }
}

void CheckDrain(const History& history, CheckResult* result) {
  std::unordered_map<uint64_t, std::vector<Position>> stored;
  std::set<Position> seen_positions;
  for (const ReadRecord& read : history.drain_reads()) {
    // A queue read twice (a retried pull) is not a duplicate: count each position once.
    if (!seen_positions.insert({read.group, read.queue_id, read.offset}).second) continue;
    stored[read.id].push_back({read.group, read.queue_id, read.offset});
    ++result->drained;
  }
  std::unordered_set<uint64_t> sent;
  for (const SendRecord& send : history.sends()) {
    sent.insert(send.id);
    auto found = stored.find(send.id);
    if (send.outcome == SendOutcome::kAcknowledged) {
      if (found == stored.end()) {
        ++result->lost;
        if (result->lost_ids.size() < kIdsReportedMax) result->lost_ids.push_back(send.id);
        continue;
      }
      const Position acked{send.group, send.queue_id, send.offset};
      if (std::find(found->second.begin(), found->second.end(), acked) == found->second.end()) ++result->misplaced;
    }
    if (found == stored.end()) continue;
    if (send.outcome == SendOutcome::kUnknown) ++result->unknown_stored;
    if (send.outcome == SendOutcome::kFailed) ++result->failed_stored;
  }
  for (const auto& [id, positions] : stored) {
    if (!sent.contains(id)) ++result->phantom;
    if (positions.size() > 1) ++result->duplicated;
  }
}

// Real-time order within a queue: if A was acknowledged before B was sent and both sit in one
// queue, A's offset is lower. Per queue by offset: a violation is an entry whose send started
// after a later-offset entry's acknowledgement.
void CheckOrder(const History& history, CheckResult* result) {
  std::unordered_map<uint64_t, const SendRecord*> acked;
  for (const SendRecord& send : history.sends()) {
    if (send.outcome == SendOutcome::kAcknowledged) acked[send.id] = &send;
  }
  std::map<std::pair<std::string, int32_t>, std::map<int64_t, const SendRecord*>> queues;
  for (const ReadRecord& read : history.drain_reads()) {
    auto found = acked.find(read.id);
    if (found != acked.end()) queues[{read.group, read.queue_id}][read.offset] = found->second;
  }
  for (const auto& [queue, by_offset] : queues) {
    int64_t earliest_later_ack = INT64_MAX;  // min end_ms over higher offsets
    for (auto it = by_offset.rbegin(); it != by_offset.rend(); ++it) {
      if (it->second->start_ms > earliest_later_ack) ++result->reordered;
      earliest_later_ack = std::min(earliest_later_ack, it->second->end_ms);
    }
  }
}

void CheckPush(const History& history, CheckResult* result) {
  std::unordered_set<uint64_t> received;
  for (const ReadRecord& read : history.push_reads()) {
    ++result->push_received;
    if (!received.insert(read.id).second) ++result->push_redelivered;
  }
  for (const SendRecord& send : history.sends()) {
    if (send.outcome == SendOutcome::kAcknowledged && !received.contains(send.id)) ++result->push_missed;
  }
}

void CheckAvailability(const History& history, CheckResult* result) {
  std::vector<int64_t> acks;  // acknowledgement times
  std::vector<std::pair<int64_t, int64_t>> starts_acks;  // (send start, ack time)
  for (const SendRecord& send : history.sends()) {
    if (send.outcome != SendOutcome::kAcknowledged) continue;
    acks.push_back(send.end_ms);
    starts_acks.push_back({send.start_ms, send.end_ms});
  }
  std::sort(acks.begin(), acks.end());
  std::sort(starts_acks.begin(), starts_acks.end());
  for (size_t i = 1; i < acks.size(); ++i) result->longest_gap_ms = std::max(result->longest_gap_ms, acks[i] - acks[i - 1]);
  // Suffix minimum of ack times over sends sorted by start.
  std::vector<int64_t> first_ack_from(starts_acks.size() + 1, INT64_MAX);
  for (size_t i = starts_acks.size(); i-- > 0;) first_ack_from[i] = std::min(first_ack_from[i + 1], starts_acks[i].second);
  const auto& faults = history.faults();
  std::map<std::string, KindAvailability> by_kind;
  std::map<std::string, std::vector<FaultAvailability>> by_kind_connected;
  for (size_t f = 0; f < faults.size(); ++f) {
    const int64_t start = faults[f].start_ms;
    const int64_t end = f + 1 < faults.size() ? faults[f + 1].start_ms : (acks.empty() ? start : acks.back());
    FaultAvailability availability;
    auto from = std::lower_bound(starts_acks.begin(), starts_acks.end(), std::make_pair(start, INT64_MIN));
    const int64_t first = first_ack_from[static_cast<size_t>(from - starts_acks.begin())];
    if (first != INT64_MAX) availability.unavailable_ms = first - start;
    int64_t previous = start;
    for (auto ack = std::upper_bound(acks.begin(), acks.end(), start); ack != acks.end(); ++ack) {
      availability.longest_gap_ms = std::max(availability.longest_gap_ms, *ack - previous);
      previous = *ack;
      if (*ack > end) break;
    }
    result->faults.push_back(availability);
    KindAvailability& stats = by_kind[faults[f].kind];
    ++stats.count;
    if (!faults[f].majority_connected) {
      ++stats.without_majority;
      continue;
    }
    by_kind_connected[faults[f].kind].push_back(availability);
  }
  for (auto& [kind, stats] : by_kind) {
    stats.kind = kind;
    std::vector<int64_t> unavailable;
    for (const FaultAvailability& each : by_kind_connected[kind]) {
      unavailable.push_back(each.unavailable_ms);
      stats.max_gap_ms = std::max(stats.max_gap_ms, each.longest_gap_ms);
    }
    if (!unavailable.empty()) {
      std::sort(unavailable.begin(), unavailable.end());
      stats.median_unavailable_ms = unavailable[unavailable.size() / 2];
      stats.max_unavailable_ms = unavailable.back();
    }
    result->kinds.push_back(stats);
  }
}

}  // namespace

CheckResult Check(const History& history) {
  CheckResult result;
  CountOutcomes(history, &result);
  CheckDrain(history, &result);
  CheckOrder(history, &result);
  CheckPush(history, &result);
  CheckAvailability(history, &result);
  if (result.lost > 0) result.violations.push_back(std::to_string(result.lost) + " acknowledged messages lost");
  if (result.misplaced > 0) {
    result.violations.push_back(std::to_string(result.misplaced) + " acknowledged messages not at their acknowledged offset");
  }
  if (result.phantom > 0) result.violations.push_back(std::to_string(result.phantom) + " messages read that were never sent");
  if (result.reordered > 0) {
    result.violations.push_back(std::to_string(result.reordered) + " order violations within a queue");
  }
  return result;
}

}  // namespace raftmq::chaos
