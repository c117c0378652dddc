#include "raft/config_log.h"

#include <algorithm>

#include "common/assert.h"
#include "raft/entry_kind.h"

namespace raftmq::raft {

ConfigLog::ConfigLog(storage::ConfRecord record, Index applied_index)
    : applied_(std::move(record.conf)),
      applied_index_(applied_index),
      since_(record.index),
      known_through_(record.index) {
  // Without voters only for a joining node, which has seen nothing yet.
  RMQ_ASSERT(!applied_.voters.empty() || record.index == Index(0));
  RMQ_ASSERT(applied_index <= record.index);
}

bool ConfigLog::Append(const storage::LogEntry& entry) {
  RMQ_ASSERT(entry.index > applied_index_);
  RMQ_ASSERT(pending_.empty() || entry.index > pending_.back().first);
  if (entry.index <= known_through_ || entry.kind != kMembershipEntry) return false;
  Result<ConfChange> change = DecodeConfChange(entry.payload);
  if (!change.ok()) return false;
  Result<ConfState> next = ApplyConfChange(current(), *change);
  if (!next.ok()) return false;
  pending_.emplace_back(entry.index, std::move(next).value());
  return true;
}

void ConfigLog::TruncateAfter(Index last) {
  RMQ_ASSERT(last >= applied_index_);
  while (!pending_.empty() && pending_.back().first > last) pending_.pop_back();
}

bool ConfigLog::AppliedTo(Index index) {
  RMQ_ASSERT(index >= applied_index_);
  applied_index_ = index;
  bool changed = false;
  size_t folded = 0;
  while (folded < pending_.size() && pending_[folded].first <= index) {
    since_ = pending_[folded].first;
    applied_ = std::move(pending_[folded].second);
    changed = true;
    ++folded;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(folded));
  return changed;
}

void ConfigLog::Restore(const ConfState& config, Index index) {
  RMQ_ASSERT(!config.voters.empty());
  RMQ_ASSERT(index >= applied_index_);
  applied_ = config;
  applied_index_ = index;
  since_ = index;
  known_through_ = std::max(known_through_, index);
  pending_.clear();
}

}  // namespace raftmq::raft
