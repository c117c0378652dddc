#include "raft/progress.h"

#include "common/assert.h"

namespace raftmq::raft {

Progress::Progress(Index next, uint32_t inflight_appends_max, uint64_t inflight_bytes_max)
    : next_(next), inflights_(inflight_appends_max, inflight_bytes_max) {
  RMQ_ASSERT(next_ > Index(0));
  RMQ_ASSERT(match_ < next_);
}

void Progress::BecomeProbe() {
  state_ = State::kProbe;
  probe_sent_ = false;
  pending_snapshot_ = Index(0);
  next_ = match_ + 1;
  inflights_.Reset();
}

void Progress::BecomeReplicate() {
  state_ = State::kReplicate;
  probe_sent_ = false;
  pending_snapshot_ = Index(0);
  next_ = match_ + 1;
  inflights_.Reset();
}

void Progress::BecomeSnapshot(Index snapshot_index) {
  RMQ_ASSERT(snapshot_index > match_);
  state_ = State::kSnapshot;
  probe_sent_ = false;
  pending_snapshot_ = snapshot_index;
  next_ = snapshot_index + 1;
  inflights_.Reset();
  RMQ_ASSERT(match_ < next_);
}

void Progress::SnapshotReported(bool delivered) {
  RMQ_ASSERT(state_ == State::kSnapshot);
  const Index pending = pending_snapshot_;
  BecomeProbe();
  // Delivered: the follower holds it (or will answer for it), so probe right after it; a
  // wrong guess costs one rejected probe.
  if (delivered && pending + 1 > next_) next_ = pending + 1;
  // The follower may be gone (the transfer failed) or busy restoring: wait for its heartbeat
  // answer (or its answer to the snapshot) before probing.
  probe_sent_ = true;
  RMQ_ASSERT(match_ < next_);
}

bool Progress::MaybeUpdate(Index index) {
  bool updated = false;
  if (index > match_) {
    match_ = index;
    probe_sent_ = false;
    updated = true;
  }
  if (next_ < index + 1) next_ = index + 1;
  inflights_.FreeLE(index);
  RMQ_ASSERT(match_ < next_);
  return updated;
}

void Progress::SentEntries(Index last, uint64_t bytes) {
  RMQ_ASSERT(state_ != State::kSnapshot);
  RMQ_ASSERT(last + 1 >= next_);
  if (state_ == State::kReplicate) {
    if (last >= next_) {
      inflights_.Add(last, bytes);
      next_ = last + 1;
    }
  } else {
    RMQ_ASSERT(inflights_.count() == 0);
    probe_sent_ = true;
  }
  RMQ_ASSERT(match_ < next_);
}

bool Progress::MaybeDecreaseTo(Index rejected, Index hint) {
  if (rejected == Index(0)) return false;  // index 0 always matches: not from this leader
  if (rejected <= match_) {
    // Entries up to min(hint, rejected - 1) are still the follower's and were this leader's
    // (a follower never truncates what matches its leader), so that much still matches.
    const Index kept = hint < rejected ? hint : rejected - 1;
    match_ = kept < match_ ? kept : match_;
    BecomeProbe();
    RMQ_ASSERT(match_ < rejected);
    RMQ_ASSERT(next_ == match_ + 1);
    return true;
  }
  // A snapshot is out: only its answer (or the driver's report) moves this follower on.
  if (state_ == State::kSnapshot) return false;
  if (state_ == State::kReplicate) {
    next_ = match_ + 1;
    return true;
  }
  // In probe only the answer to the latest probe counts.
  if (next_ - 1 != rejected) return false;
  Index lowered = hint + 1 < rejected ? hint + 1 : rejected;
  next_ = lowered > match_ + 1 ? lowered : match_ + 1;
  probe_sent_ = false;
  RMQ_ASSERT(match_ < next_);
  return true;
}

void Progress::NoteRecovering(bool recovering, bool forgot_term, Index leader_last) {
  RMQ_ASSERT(leader_last > Index(0));  // a leader holds at least its own no-op
  // A new recovery (or one that now says it forgot its term) starts over: the target is the
  // leader's log now, and a round confirms it afresh.
  if (recovering && (!recovering_ || (forgot_term && !forgot_term_))) {
    recovery_target_ = leader_last;
    confirmation_round_ = 0;
    leadership_confirmed_ = false;
  }
  if (!recovering) recovery_target_ = Index(0);
  recovering_ = recovering;
  forgot_term_ = recovering && forgot_term;
  RMQ_ASSERT(!recovering_ || recovery_target_ > Index(0));
  RMQ_ASSERT(recovering_ || !forgot_term_);
}

bool Progress::ConfirmLeadership(uint64_t confirmed_round) {
  if (!forgot_term_ || leadership_confirmed_) return false;
  if (confirmation_round_ == 0 || confirmation_round_ > confirmed_round) return false;
  leadership_confirmed_ = true;
  return true;
}

void Progress::OnHeartbeatResponse() {
  probe_sent_ = false;
  if (state_ == State::kReplicate && inflights_.Full()) inflights_.FreeFirstOne();
  RMQ_ASSERT(state_ != State::kProbe || !IsPaused());
}

bool Progress::IsPaused() const {
  switch (state_) {
    case State::kProbe: return probe_sent_;
    case State::kReplicate: return inflights_.Full();
    case State::kSnapshot: return true;
  }
  return true;
}

}  // namespace raftmq::raft
