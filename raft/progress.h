// Progress: what a leader knows of one follower's log (etcd's tracker/progress.go).
//
// States: kProbe: the leader does not know where the logs agree; it sends one append at a
// time (probe_sent pauses it until an answer or the next heartbeat) and backs off on reject.
// kReplicate: the follower is known to match up to `match`; the leader streams appends
// optimistically (next moves as it sends), bounded by the Inflights window.
// kSnapshot: the entries the follower needs are compacted away; the leader sent a snapshot
// (pending_snapshot) and sends no append until the follower's answer shows match >=
// pending_snapshot (-> kReplicate) or the driver reports the transfer (finished: probe after
// the snapshot; failed: probe from match). Either probe waits for a heartbeat answer first.
//
// A rejection at or below `match` means the follower no longer holds entries it acknowledged
// (its log lost a tail: power loss under async flush, a torn record cut at restart, a wiped
// dir) or is a reordered old answer; either way match falls to where the follower says the
// logs may agree and the leader probes from there. A stale answer costs one probe round; a
// real loss is repaired under this leader instead of never.
//
// Invariants (asserted): match < next; in kProbe and kSnapshot the window is empty; next never
// falls to or below match on a reject; pending_snapshot is set (> match) in kSnapshot only.
//
// Threading: owned by one Core.
#pragma once

#include <cstdint>

#include "common/log_ids.h"
#include "raft/inflights.h"

namespace raftmq::raft {

class Progress {
 public:
  enum class State : uint8_t { kProbe, kReplicate, kSnapshot };

  Progress(Index next, uint32_t inflight_appends_max, uint64_t inflight_bytes_max);

  void BecomeProbe();
  void BecomeReplicate();
  // A snapshot at `snapshot_index` (> match) was sent: no appends until it is answered.
  void BecomeSnapshot(Index snapshot_index);
  // The driver's report on the pending snapshot's transfer (kSnapshot only): probes after the
  // snapshot when `delivered`, else from match; the probe waits for a heartbeat answer.
  void SnapshotReported(bool delivered);

  // An accepting response for entries up to `index`: raises match (and next). False when
  // stale (index <= match).
  bool MaybeUpdate(Index index);
  // A kAppend ending at `last` with `bytes` of payload left: in kReplicate next moves past
  // it and the window records it; in kProbe the probe is marked sent.
  void SentEntries(Index last, uint64_t bytes);
  // A rejection of an append after `rejected`; `hint` is where the logs may agree. False
  // when the rejection is stale. Lowers next to hint + 1 (never to or below match), or when
  // rejected <= match (the follower lost entries it had acknowledged) lowers match to
  // min(hint, rejected - 1) and probes from there.
  bool MaybeDecreaseTo(Index rejected, Index hint);
  // True when no append should be sent now (probe outstanding, or window full).
  bool IsPaused() const;
  // A heartbeat response: the follower is alive, so a lost probe may go again, and a full
  // window frees its oldest slot (its append may have been lost) so replication resumes.
  void OnHeartbeatResponse();

  Index match() const { return match_; }
  // kSnapshot: the index of the snapshot sent; Index(0) otherwise.
  Index pending_snapshot() const { return pending_snapshot_; }
  Index next() const { return next_; }
  State state() const { return state_; }
  // The highest commit index sent in an append, so the leader does not repeat empty appends
  // that carry no news.
  Index sent_commit() const { return sent_commit_; }
  void set_sent_commit(Index commit) { sent_commit_ = commit; }
  bool recent_active() const { return recent_active_; }
  // The follower said it may have lost acknowledged entries (Message::recovering): its match
  // does not count toward commit until it holds the leader's log up to recovery_target().
  bool recovering() const { return recovering_; }
  // The target to send it; Index(0) (none yet) while it forgot its term and the leader has
  // not confirmed its leadership since learning that (see AwaitsConfirmationRound).
  Index recovery_target() const { return forgot_term_ && !leadership_confirmed_ ? Index(0) : recovery_target_; }
  // `leader_last`: the leader's last index now, the target when recovery starts.
  // `forgot_term`: Message::forgot_term.
  void NoteRecovering(bool recovering, bool forgot_term, Index leader_last);
  // Recovering after a wipe, it cannot vouch for the leader: its acks of read rounds and its
  // activity do not count for check-quorum.
  bool vouches_for_leader() const { return !forgot_term_; }
  // A follower that forgot its term gets its target only once a read round started after the
  // leader learned that was confirmed by a majority (Core::ConfirmRound): a deposed leader that
  // reached it first must not bring it up to a stale log and count it toward commit.
  bool AwaitsConfirmationRound() const {
    return forgot_term_ && !leadership_confirmed_ && confirmation_round_ == 0;
  }
  void set_confirmation_round(uint64_t round) { confirmation_round_ = round; }
  // True when `confirmed_round` confirms its round (its target may be sent from now on).
  bool ConfirmLeadership(uint64_t confirmed_round);
  // The highest read round (Core::ReadIndex) this follower confirmed.
  uint64_t read_round_acked() const { return read_round_acked_; }
  void AckReadRound(uint64_t round) {
    if (round > read_round_acked_) read_round_acked_ = round;
  }
  void set_recent_active(bool active) { recent_active_ = active; }
  const Inflights& inflights() const { return inflights_; }

 private:
  Index match_;
  Index next_;  // > match_
  State state_ = State::kProbe;
  Index pending_snapshot_;
  Index sent_commit_;
  bool probe_sent_ = false;
  bool recent_active_ = false;
  bool recovering_ = false;
  bool forgot_term_ = false;  // only while recovering_
  Index recovery_target_;     // set while recovering_
  uint64_t confirmation_round_ = 0;  // 0: none started yet
  bool leadership_confirmed_ = false;
  uint64_t read_round_acked_ = 0;
  Inflights inflights_;
};

}  // namespace raftmq::raft
