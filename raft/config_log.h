// ConfigLog: the configurations a raft::Core's log implies (raft/configuration.h). `applied()`
// is the configuration as of the applied index (the driver persists it, Core::Create is handed
// it back); above it, one (index, configuration) per membership entry still in the log, so the
// configuration in force (`current()`, the newest) reverts when a follower's divergent tail
// holding a change is truncated away. A change that does not apply to the configuration before
// it is skipped (Apply is total; every node skips it alike, since they hold the same prefix).
//
// A driver's ConfRecord may stand above the applied index (raft::Node saves it before applying
// the entries that changed it, and a restarted state machine may resume below them): the
// membership entries up to the record's index are committed and already in it, so Append
// ignores them (`known_through`).
//
// Invariants (asserted): pending indexes ascend and all exceed applied_index() and
// known_through(); a record without voters stands at index 0.
//
// Threading: owned by one Core.
#pragma once

#include <utility>
#include <vector>

#include "common/log_ids.h"
#include "raft/configuration.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class ConfigLog {
 public:
  // `record` is the configuration as of record.index; `applied_index` may lie below it (see
  // above) but not above: the driver feeds the entries in between and calls AppliedTo.
  ConfigLog(storage::ConfRecord record, Index applied_index);

  const ConfState& current() const { return pending_.empty() ? applied_ : pending_.back().second; }
  const ConfState& applied() const { return applied_; }
  Index applied_index() const { return applied_index_; }
  // applied() as a record: the index it stands from (the membership entry that made it, the
  // snapshot or record it was restored from; 0 for the bootstrap voters).
  storage::ConfRecord applied_record() const { return storage::ConfRecord{since_, applied_}; }
  Index known_through() const { return known_through_; }
  // The configuration before the newest change above applied (applied() when none).
  const ConfState& before_last_change() const {
    return pending_.size() < 2 ? applied_ : pending_[pending_.size() - 2].second;
  }
  // The index of the newest membership entry above applied; 0 when none.
  Index last_change_index() const { return pending_.empty() ? Index(0) : pending_.back().first; }

  // `entry` was appended to the log after every entry already seen. True when it changed the
  // configuration (never for an entry at or below known_through()).
  bool Append(const storage::LogEntry& entry);
  // The log now ends at `last`: changes above it were truncated away.
  void TruncateAfter(Index last);
  // Entries up to `index` were applied: what changed by then becomes applied(). True when
  // applied() changed.
  bool AppliedTo(Index index);
  // A snapshot replaced the log up to `index`.
  void Restore(const ConfState& config, Index index);

 private:
  ConfState applied_;
  Index applied_index_;
  Index since_;
  Index known_through_;
  std::vector<std::pair<Index, ConfState>> pending_;
};

}  // namespace raftmq::raft
