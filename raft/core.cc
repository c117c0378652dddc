// Core: construction, the term checks of Step and the role changes. Elections live in
// core_election.cc, replication in core_replication.cc, leadership transfer in
// core_transfer.cc, the Ready handshake in core_ready.cc.
#include "raft/core.h"

#include <string>

#include "common/assert.h"

namespace raftmq::raft {

Result<std::unique_ptr<Core>> Core::Create(const CoreOptions& options, const storage::LogReader& log,
                                           const storage::HardState& hard_state, Index applied,
                                           const SnapshotReader* snapshots,
                                           const std::optional<storage::ConfRecord>& applied_conf) {
  RMQ_RETURN_IF_ERROR(options.Validate());
  if (applied > log.LastIndex()) {
    return Status::Corruption("applied index " + std::to_string(applied.value()) + " is beyond the log's last index " +
                              std::to_string(log.LastIndex().value()));
  }
  if (applied + 1 < log.FirstIndex()) {
    return Status::Corruption("applied index " + std::to_string(applied.value()) + " is below the log's first index " +
                              std::to_string(log.FirstIndex().value()) +
                              " - 1: a snapshot install stopped after the log's reset; restore the snapshot first");
  }
  if (log.LastIndex() > Index(0)) {
    auto last_term = log.TermAt(log.LastIndex());
    if (!last_term.ok()) return last_term.status().WithContext("reading the last entry's term");
  }
  Result<ConfigLog> config = ReadConfigLog(options, log, applied, applied_conf);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Core>(new Core(options, log, hard_state, applied, snapshots, std::move(config).value()));
}

namespace {

Term LastTermOf(const storage::LogReader& log) {
  if (log.LastIndex() == Index(0)) return Term(0);
  return log.TermAt(log.LastIndex()).value();  // checked readable by Create
}

// Empty log, term 0, no vote: a new node, or a data dir wiped since it last ran.
bool LooksWiped(const storage::LogReader& log, const storage::HardState& hard_state) {
  return log.LastIndex() == Index(0) && hard_state.term == Term(0) && hard_state.voted_for == kNoNode;
}

// The log may have lost an unsynced tail that the commit hint covered (async flush): commit
// what the log still holds; the leader re-sends the rest. Never below what was applied.
Index RecoveredCommit(const storage::LogReader& log, const storage::HardState& hard_state, Index applied) {
  Index commit = hard_state.commit < log.LastIndex() ? hard_state.commit : log.LastIndex();
  return commit > applied ? commit : applied;
}

}  // namespace

Core::Core(const CoreOptions& options, const storage::LogReader& log, const storage::HardState& hard_state,
           Index applied, const SnapshotReader* snapshots, ConfigLog config)
    : options_(options),
      snapshots_(snapshots),
      log_(log, snapshots, LastTermOf(log), RecoveredCommit(log, hard_state, applied), applied),
      config_(std::move(config)),
      prng_(options.random_seed),
      term_(hard_state.term),
      vote_(hard_state.voted_for),
      // A wiped data dir looks like a new node but may have voted or acknowledged in the group's
      // past: it recovers, so it cannot vote twice in a term (a new group recovers as a whole,
      // see MaybeEndRecoveryForMajority).
      recovering_(options.may_have_lost_acknowledged_entries || options.may_have_forgotten_term ||
                  LooksWiped(log, hard_state)),
      forgot_term_(options.may_have_forgotten_term || LooksWiped(log, hard_state)),
      commit_hint_at_start_(hard_state.commit) {
  RMQ_ASSERT(config_.applied_index() == applied);
  BecomeFollower(term_, kNoNode);
  // The restored vote stays: BecomeFollower at the same term keeps it.
  RMQ_ASSERT(vote_ == hard_state.voted_for);
  reported_soft_ = CurrentSoftState();
  reported_hard_ = CurrentHardState();
  persisted_hard_ = reported_hard_;
}

void Core::Tick() {
  RMQ_ASSERT(!ready_outstanding_);
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Core::Step(const Message& message) {
  RMQ_ASSERT(!ready_outstanding_);
  if (message.to != options_.id || message.from == kNoNode || message.from == options_.id) return;
  const bool is_vote_request = message.type == MessageType::kVote || message.type == MessageType::kPreVote;
  if (message.term > term_) {
    if (is_vote_request && InLease(message)) return;
    const bool keeps_term = message.type == MessageType::kPreVote ||
                            (message.type == MessageType::kPreVoteResponse && !message.reject);
    if (!keeps_term) {
      const bool from_leader = message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat ||
                               message.type == MessageType::kSnapshot || message.type == MessageType::kTimeoutNow;
      BecomeFollower(message.term, from_leader ? message.from : kNoNode);
    }
  } else if (message.term < term_) {
    StepStaleTerm(message);
    return;
  }
  if (is_vote_request) {
    HandleVoteRequest(message);
    return;
  }
  switch (role_) {
    case Role::kLeader: StepLeader(message); break;
    case Role::kPreCandidate:
    case Role::kCandidate: StepCandidate(message); break;
    case Role::kFollower: StepFollower(message); break;
  }
}

// A message from an older term. A stale leader's append or heartbeat is answered so it learns
// the new term and steps down (with pre-vote and check-quorum it could otherwise never
// learn it); a stale pre-vote is refused so the pre-candidate stops waiting; the rest is old.
void Core::StepStaleTerm(const Message& message) {
  RMQ_ASSERT(message.term < term_);
  if (message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat) {
    Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .reject = false});
  } else if (message.type == MessageType::kPreVote) {
    Send(Message{.type = MessageType::kPreVoteResponse, .to = message.from, .reject = true});
  }
}

void Core::StepFollower(const Message& message) {
  RMQ_ASSERT(role_ == Role::kFollower);
  switch (message.type) {
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      election_elapsed_ = 0;
      leader_ = message.from;
      majority_loss_unresolved_ = false;
      if (message.type == MessageType::kAppend) {
        HandleAppend(message);
      } else if (message.type == MessageType::kHeartbeat) {
        HandleHeartbeat(message);
      } else {
        HandleSnapshot(message);
      }
      break;
    case MessageType::kTimeoutNow:
      // A recovering node may not lead, nor may a non-voter: the leader's transfer times out and
      // it goes on leading.
      if (!recovering_ && Promotable()) StartElection(/*transfer=*/true);
      break;
    default:
      break;  // responses to a role this node no longer has
  }
}

void Core::StepCandidate(const Message& message) {
  RMQ_ASSERT(role_ == Role::kPreCandidate || role_ == Role::kCandidate);
  switch (message.type) {
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      // A leader of this term exists: follow it.
      BecomeFollower(message.term, message.from);
      StepFollower(message);
      break;
    case MessageType::kPreVoteResponse:
      if (role_ == Role::kPreCandidate) HandleVoteResponse(message);
      break;
    case MessageType::kVoteResponse:
      if (role_ == Role::kCandidate) HandleVoteResponse(message);
      break;
    default:
      break;
  }
}

void Core::StepLeader(const Message& message) {
  RMQ_ASSERT(role_ == Role::kLeader);
  auto it = progress_.find(message.from);
  if (it == progress_.end()) return;
  it->second.set_recent_active(true);
  switch (message.type) {
    case MessageType::kAppendResponse: HandleAppendResponse(message); break;
    case MessageType::kHeartbeatResponse: HandleHeartbeatResponse(message); break;
    default: break;
  }
}

// Queues a message. Responses promise persisted state (a vote, a term, appended entries), so
// they leave only after the Ready that persists it.
void Core::Send(Message message) {
  RMQ_ASSERT(message.to != options_.id);
  RMQ_ASSERT(message.to != kNoNode);
  message.from = options_.id;
  if (message.type != MessageType::kPreVote && message.type != MessageType::kPreVoteResponse) {
    message.term = term_;
  } else if (message.term == Term(0)) {
    message.term = term_;
  }
  const bool is_response = message.type == MessageType::kAppendResponse ||
                           message.type == MessageType::kHeartbeatResponse ||
                           message.type == MessageType::kVoteResponse ||
                           message.type == MessageType::kPreVoteResponse;
  const bool is_vote_request = message.type == MessageType::kVote || message.type == MessageType::kPreVote;
  // Whoever hears from this node learns whether it recovers (a vote answer may also say it
  // recovered until this very request: core_election.cc).
  const bool is_vote_message = is_vote_request || message.type == MessageType::kVoteResponse ||
                               message.type == MessageType::kPreVoteResponse;
  if (is_response || is_vote_request) {
    message.recovering = message.recovering || recovering_;
    message.forgot_term = message.forgot_term || forgot_term_;
  }
  if (is_vote_message) message.recovering = message.recovering || majority_loss_unresolved_;
  (is_response ? messages_after_persist_ : messages_).push_back(std::move(message));
}

void Core::ResetTerm(Term term) {
  RMQ_ASSERT(term >= term_);
  if (term != term_) {
    term_ = term;
    vote_ = kNoNode;
    // An election after the loss is under way or done: from here on only nodes that really
    // recover count toward a majority loss (a node that merely lags must not).
    majority_loss_unresolved_ = false;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetElectionTimeout();
  votes_.clear();
  progress_.clear();
  transfer_target_ = kNoNode;
  // The driver fails the reads still waiting (it sees the role or term change); no round of
  // the new term is out.
  pending_reads_.clear();
  read_round_confirmed_ = read_round_;
  term_start_index_ = Index(0);
  uncommitted_bytes_ = 0;
  broadcast_pending_ = false;
}

void Core::ResetElectionTimeout() {
  election_timeout_ticks_ =
      static_cast<uint32_t>(prng_.Between(options_.election_timeout_ticks_min, options_.election_timeout_ticks_max));
}

void Core::BecomeFollower(Term term, NodeId leader) {
  ResetTerm(term);
  role_ = Role::kFollower;
  leader_ = leader;
  if (leader != kNoNode) majority_loss_unresolved_ = false;  // the group is back
  RMQ_ASSERT(progress_.empty());
}

void Core::BecomePreCandidate() {
  RMQ_ASSERT(role_ != Role::kLeader);
  // Pre-vote does not move the term or the vote: a pre-candidate that loses changed nothing.
  votes_.clear();
  leader_ = kNoNode;
  role_ = Role::kPreCandidate;
  election_elapsed_ = 0;
  ResetElectionTimeout();
}

void Core::BecomeCandidate() {
  RMQ_ASSERT(role_ != Role::kLeader);
  RMQ_ASSERT_MSG(!recovering_, "a recovering node must not campaign");
  ResetTerm(term_ + 1);
  vote_ = options_.id;
  role_ = Role::kCandidate;
}

void Core::BecomeLeader() {
  RMQ_ASSERT(role_ == Role::kCandidate);
  ResetTerm(term_);
  role_ = Role::kLeader;
  leader_ = options_.id;
  RMQ_ASSERT(Promotable());
  TrackMembers(/*new_term=*/true);
  // Entries of earlier terms commit only under an entry of this term: append one now so they
  // do not wait for a client (a new group's bootstrap, else a no-op).
  AppendFirstEntryOfTerm();
  majority_loss_unresolved_ = false;
  RMQ_ASSERT(!recovering_);
}

}  // namespace raftmq::raft
