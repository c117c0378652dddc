// Core: log replication. The leader's appends, heartbeats, commit and check-quorum; the
// follower's side of kAppend and kHeartbeat.
#include <algorithm>
#include <string>

#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

using storage::LogEntry;

Result<Index> Core::Propose(EntryKind kind, std::string payload) {
  RMQ_ASSERT(!ready_outstanding_);
  if (!IsApplicationEntryKind(kind)) {
    return Status::InvalidArgument("entry kind " + std::to_string(storage::KindByte(kind)) +
                                   " is not the application's (0, or one Raft keeps for itself)");
  }
  if (role_ != Role::kLeader) {
    return Status::Unavailable("not the leader; leader=" + std::to_string(leader_));
  }
  if (transfer_target_ != kNoNode) {
    return Status::Unavailable("leadership transfer to " + std::to_string(transfer_target_) + " in progress");
  }
  if (uncommitted_bytes_ > 0 && uncommitted_bytes_ + payload.size() > options_.uncommitted_bytes_max) {
    return Status::NoSpace("uncommitted entries exceed uncommitted_bytes_max");
  }
  AppendAsLeader(kind, std::move(payload));
  return log_.LastIndex();
}

void Core::AppendAsLeader(EntryKind kind, std::string payload) {
  RMQ_ASSERT(role_ == Role::kLeader);
  const Index index = log_.LastIndex() + 1;
  uncommitted_bytes_ += payload.size();
  std::vector<LogEntry> entries;
  entries.push_back(LogEntry{.index = index, .term = term_, .kind = kind, .payload = std::move(payload)});
  NoteAppended(entries);
  log_.Append(std::move(entries));
  broadcast_pending_ = true;  // sent in one kAppend per follower at TakeReady: proposals batch
  RMQ_ASSERT(log_.LastIndex() == index);
}

void Core::TickHeartbeat() {
  RMQ_ASSERT(role_ == Role::kLeader);
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= options_.election_timeout_ticks_min) {
    election_elapsed_ = 0;
    // The preferred-leader check reads the window's activity before CheckQuorum resets it,
    // and skips a window in which a transfer was just aborted.
    if (transfer_target_ != kNoNode) {
      AbortTransfer();
    } else {
      MaybeTransferToPreferred();
    }
    if (options_.check_quorum) CheckQuorum();
    if (role_ != Role::kLeader) return;
  }
  if (heartbeat_elapsed_ >= options_.heartbeat_interval_ticks) {
    heartbeat_elapsed_ = 0;
    for (const auto& [member, progress] : progress_) {
      if (member != options_.id) SendHeartbeat(member);
    }
  }
}

// Steps down when a majority (itself included) was silent for an election timeout: a
// partitioned leader stops taking proposals it could never commit.
void Core::CheckQuorum() {
  RMQ_ASSERT(role_ == Role::kLeader);
  size_t active = 0;
  for (auto& [member, progress] : progress_) {
    // A follower recovering from a wipe may be following a deposed leader: it keeps none in office.
    if (IsVoter(member) && (member == options_.id || (progress.recent_active() && progress.vouches_for_leader()))) {
      ++active;
    }
    if (member != options_.id) progress.set_recent_active(false);
  }
  if (active < Quorum()) BecomeFollower(term_, kNoNode);
}

void Core::SendHeartbeat(NodeId to) {
  const Progress& progress = progress_.at(to);
  // Capped at what the follower is known to hold: beyond it its log may still diverge.
  const Index commit = std::min(progress.match(), log_.committed());
  Send(Message{.type = MessageType::kHeartbeat, .to = to, .commit = commit, .recovery_target = progress.recovery_target(),
               .read_round = read_round_});
}

void Core::BroadcastAppends(EmptyAppend empty) {
  RMQ_ASSERT(role_ == Role::kLeader);
  for (const auto& [member, progress] : progress_) {
    if (member == options_.id) continue;
    // Bounded by the window: every kAppend sent in kReplicate takes an inflight slot.
    bool sent = SendAppend(member, empty);
    for (uint32_t i = 0; sent && i < options_.inflight_appends_max; ++i) sent = SendAppend(member, EmptyAppend::kNever);
  }
}

// Sends the entries from the follower's next index (or, as `empty` says, an append without
// entries), or a snapshot when those entries are compacted away. False when paused, nothing to
// send, or the log could not be read.
bool Core::SendAppend(NodeId to, EmptyAppend empty) {
  Progress& progress = progress_.at(to);
  if (progress.IsPaused()) return false;
  const Index last = log_.LastIndex();
  if (progress.next() > last) {
    if (empty == EmptyAppend::kNever) return false;
    if (empty == EmptyAppend::kIfCommitNews && progress.sent_commit() >= log_.committed()) return false;
  }
  const Index prev = progress.next() - 1;
  Result<Term> prev_term = log_.TermAt(prev);
  // Compacted away: the follower needs a snapshot. Retention runs on its own thread, so the
  // entries' read below may find them gone too.
  if (!prev_term.ok()) return log_.IsCompacted(prev) && SendSnapshot(to);
  Message append{.type = MessageType::kAppend, .to = to, .log_index = prev, .log_term = *prev_term,
                 .commit = log_.committed(), .recovery_target = progress.recovery_target()};
  uint64_t bytes = 0;
  if (progress.next() <= last) {
    auto entries = log_.Entries(progress.next(), last + 1, options_.append_entries_bytes_max);
    if (!entries.ok()) return log_.IsCompacted(prev) && SendSnapshot(to);
    append.entries = std::move(entries).value();
    for (const LogEntry& entry : append.entries) bytes += entry.payload.size();
  }
  const Index sent_last = append.entries.empty() ? prev : append.entries.back().index;
  Send(std::move(append));
  progress.SentEntries(sent_last, bytes);
  progress.set_sent_commit(log_.committed());
  return true;
}

void Core::HandleAppend(const Message& message) {
  RMQ_ASSERT(role_ == Role::kFollower);
  if (message.log_index < log_.committed()) {
    // Everything up to commit already matches; say so and let the leader move on from there.
    MaybeEndRecovery(log_.committed(), message.recovery_target);
    Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .log_index = log_.committed(),
                 .commit = log_.committed()});
    return;
  }
  if (std::optional<Index> last = log_.MaybeAppend(message.log_index, message.log_term, message.entries)) {
    // The log ends with these entries when it appended or overwrote some; otherwise it held
    // them all already (and maybe more, never cut) and its configuration stands.
    if (!message.entries.empty() && log_.LastIndex() == *last) {
      config_.TruncateAfter(message.log_index);
      NoteAppended(message.entries);
    }
    log_.CommitTo(std::min(message.commit, *last));
    MaybeEndRecovery(*last, message.recovery_target);
    Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .log_index = *last,
                 .commit = log_.committed()});
    return;
  }
  // Reject with where the logs may agree: the last index at or before the probe whose term is
  // no later than the leader's, skipping a whole divergent term in one round trip.
  const Index probe = std::min(message.log_index, log_.LastIndex());
  auto [hint_index, hint_term] = log_.FindConflictByTerm(probe, message.log_term);
  Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .log_index = message.log_index,
               .reject = true, .reject_hint_index = hint_index, .reject_hint_term = hint_term});
}

void Core::HandleHeartbeat(const Message& message) {
  RMQ_ASSERT(role_ == Role::kFollower);
  // The leader caps the commit at what it knows this log matches, so it is a matched index;
  // unless this node recovers: it lost entries the leader counts on, and may have taken others
  // (from a deposed leader) since. Then only an append, which checks where the logs agree,
  // commits here or ends the recovery (the leader answers its heartbeats with one).
  if (!recovering_) log_.CommitTo(std::min(message.commit, log_.LastIndex()));
  // The last index lets the leader see a log that lost its tail although nothing is pending.
  Send(Message{.type = MessageType::kHeartbeatResponse, .to = message.from, .log_index = log_.LastIndex(),
               .read_round = message.read_round});
}

void Core::HandleAppendResponse(const Message& message) {
  RMQ_ASSERT(role_ == Role::kLeader);
  Progress& progress = progress_.at(message.from);
  NoteRecovering(progress, message);
  if (message.reject) {
    Index hint = message.reject_hint_index;
    if (message.reject_hint_term > Term(0) && hint <= log_.LastIndex()) {
      hint = log_.FindConflictByTerm(hint, message.reject_hint_term).first;
    }
    if (progress.MaybeDecreaseTo(message.log_index, hint)) {
      if (progress.state() == Progress::State::kReplicate) progress.BecomeProbe();
      SendAppend(message.from, EmptyAppend::kNever);
    }
    return;
  }
  if (message.log_index > log_.LastIndex()) return;  // not from this leader's log: ignore
  if (!progress.MaybeUpdate(message.log_index)) return;
  // Whatever snapshot the follower installed (or already held), it now matches from here on.
  const bool snapshot_answered =
      progress.state() == Progress::State::kSnapshot && progress.match() >= progress.pending_snapshot();
  if (progress.state() == Progress::State::kProbe || snapshot_answered) progress.BecomeReplicate();
  MaybeCommit();
  if (message.from == transfer_target_) MaybeSendTimeoutNow(message.from);
  // Nothing new to send but the follower's commit lags (it acked before the commit moved):
  // an empty append tells it now rather than at the next heartbeat.
  const bool commit_lags = message.commit < std::min(progress.match(), log_.committed());
  bool sent = SendAppend(message.from, commit_lags ? EmptyAppend::kIfCommitNews : EmptyAppend::kNever);
  for (uint32_t i = 0; sent && i < options_.inflight_appends_max; ++i) sent = SendAppend(message.from, EmptyAppend::kNever);
}

// A follower's answer says whether it recovers; when it stops, its match counts again.
void Core::NoteRecovering(Progress& progress, const Message& answer) {
  RMQ_ASSERT(role_ == Role::kLeader);
  const bool was_recovering = progress.recovering();
  progress.NoteRecovering(answer.recovering, answer.forgot_term, log_.LastIndex());
  if (was_recovering && !answer.recovering) MaybeCommit();
}

void Core::HandleHeartbeatResponse(const Message& message) {
  RMQ_ASSERT(role_ == Role::kLeader);
  Progress& progress = progress_.at(message.from);
  progress.OnHeartbeatResponse();
  NoteRecovering(progress, message);
  if (progress.vouches_for_leader()) progress.AckReadRound(message.read_round);
  ConfirmRound();
  // Empty when every entry was sent optimistically: the follower then rejects it if an
  // append was lost (or its log lost a tail below match), which moves it to probe and resends.
  // A recovering follower ends its recovery only on an append.
  if (progress.match() < log_.LastIndex() || message.log_index < progress.match() || progress.recovering()) {
    SendAppend(message.from, EmptyAppend::kAlways);
  }
  if (message.from == transfer_target_) MaybeSendTimeoutNow(message.from);
}

// Commits the highest index a majority holds, but only if it is of this term: an entry of an
// earlier term may still be overwritten although a majority holds it (Raft paper, fig. 8).
bool Core::MaybeCommit() {
  RMQ_ASSERT(role_ == Role::kLeader);
  std::vector<Index> matches;
  matches.reserve(progress_.size());
  // A recovering follower's acknowledgement may be of entries it has since lost: not counted.
  // Learners never count, nor does a leader replicating its own removal.
  for (const auto& [member, progress] : progress_) {
    if (IsVoter(member)) matches.push_back(progress.recovering() ? Index(0) : progress.match());
  }
  RMQ_ASSERT(matches.size() == config_.current().voters.size());
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const Index candidate = matches[Quorum() - 1];
  if (candidate <= log_.committed()) return false;
  Result<Term> term = log_.TermAt(candidate);
  if (!term.ok() || *term != term_) return false;
  log_.CommitTo(candidate);
  RMQ_ASSERT(log_.committed() == candidate);
  return true;
}

}  // namespace raftmq::raft
