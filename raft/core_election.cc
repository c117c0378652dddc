// Core: elections. Pre-vote, votes, the leader lease and the candidate's own vote (counted
// only once persisted).
#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

void Core::Campaign() {
  RMQ_ASSERT(!ready_outstanding_);
  // A recovering node may not campaign; a voter probes as its election timeout would (a new
  // group of empty nodes, all recovering, elects this way).
  if (recovering_) {
    if (role_ != Role::kLeader && IsVoter(options_.id)) StartRecoveryProbe();
    return;
  }
  if (Promotable()) StartElection(/*transfer=*/false);
}

bool Core::Promotable() const {
  if (IsVoter(options_.id)) return true;
  return config_.last_change_index() > log_.committed() && IsVoterIn(config_.before_last_change(), options_.id);
}

void Core::TickElection() {
  RMQ_ASSERT(role_ != Role::kLeader);
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_ticks_) {
    election_elapsed_ = 0;
    // A learner, a node not added yet or a removed one waits for a leader to reach it; silent
    // for a whole timeout, the leader it knew no longer holds its lease (it may have to vote:
    // it may be a voter already, unaware of its promotion).
    if (!Promotable()) leader_ = kNoNode;
    if (recovering_) {
      if (IsVoter(options_.id)) StartRecoveryProbe();
    } else if (Promotable()) {
      StartElection(/*transfer=*/false);
    }
  }
}

// A transfer (kTimeoutNow) skips pre-vote: the leader asked for this election, so it must
// not be stopped by the followers' lease on that same leader.
void Core::StartElection(bool transfer) {
  if (role_ == Role::kLeader) return;
  RMQ_ASSERT(!recovering_);
  RMQ_ASSERT(Promotable());
  if (options_.pre_vote && !transfer) {
    BecomePreCandidate();
    // A pre-vote promises nothing: no need to persist it. A node removed counts no own vote.
    if (IsVoter(options_.id)) votes_[options_.id] = true;
    if (!votes_.empty() && votes_.size() >= Quorum()) {
      BecomeCandidate();
      RequestVotes(MessageType::kVote, term_, false);
    } else {
      RequestVotes(MessageType::kPreVote, term_ + 1, false);
    }
    return;
  }
  BecomeCandidate();
  RMQ_ASSERT(vote_ == options_.id);
  RequestVotes(MessageType::kVote, term_, transfer);
}

void Core::RequestVotes(MessageType type, Term term, bool transfer) {
  RMQ_ASSERT(type == MessageType::kVote || type == MessageType::kPreVote);
  RMQ_ASSERT(term > Term(0));
  for (NodeId voter : config_.current().voters) {
    if (voter == options_.id) continue;
    Send(Message{.type = type,
                 .to = voter,
                 .term = term,
                 .log_index = log_.LastIndex(),
                 .log_term = log_.LastTerm(),
                 .leadership_transfer = transfer});
  }
}

// The leader lease: a node that heard from a live leader within the minimum election timeout
// believes it is alive and refuses to help depose it (unless the leader itself asked).
bool Core::InLease(const Message& message) const {
  RMQ_ASSERT(message.type == MessageType::kVote || message.type == MessageType::kPreVote);
  return options_.check_quorum && leader_ != kNoNode && election_elapsed_ < options_.election_timeout_ticks_min &&
         !message.leadership_transfer;
}

void Core::HandleVoteRequest(const Message& message) {
  const bool pre_vote = message.type == MessageType::kPreVote;
  RMQ_ASSERT(pre_vote || message.term == term_);
  const MessageType response = pre_vote ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  // The answer says whether this node recovered until now, so a recovering candidate counts
  // it even when this request just ended its recovery.
  const bool was_recovering = recovering_;
  if (recovering_) {
    if (message.recovering && IsVoter(message.from)) NoteRecoveringVoter(message.from);
    if (!MaybeEndRecoveryForMajority()) {
      Send(Message{.type = response, .to = message.from, .term = term_, .reject = true});
      return;
    }
  }
  RMQ_ASSERT(!recovering_);
  // A vote already cast for this candidate may be repeated (a lost response); a pre-vote for
  // a later term binds nothing.
  const bool can_vote = vote_ == message.from || (vote_ == kNoNode && leader_ == kNoNode) ||
                        (pre_vote && message.term > term_);
  if (can_vote && log_.IsUpToDate(message.log_index, message.log_term)) {
    if (!pre_vote) {
      vote_ = message.from;
      election_elapsed_ = 0;
    }
    Send(Message{.type = response, .to = message.from, .term = message.term, .reject = false,
                 .recovering = was_recovering});
    return;
  }
  Send(Message{.type = response, .to = message.from, .term = term_, .reject = true, .recovering = was_recovering});
}

void Core::HandleVoteResponse(const Message& message) {
  RMQ_ASSERT(role_ == Role::kPreCandidate || role_ == Role::kCandidate);
  // Only voters' answers count (a learner may answer: it may not know yet it was promoted).
  if (!IsVoter(message.from)) return;
  votes_.try_emplace(message.from, !message.reject);
  if (recovering_) {
    RMQ_ASSERT(role_ == Role::kPreCandidate);  // only probes
    if (message.recovering) NoteRecoveringVoter(message.from);
    if (!MaybeEndRecoveryForMajority()) {
      // Answered by all, still recovering: back to following; the next timeout probes again.
      if (votes_.size() == config_.current().voters.size()) BecomeFollower(term_, kNoNode);
      return;
    }
  }
  size_t granted = 0;
  for (const auto& [voter, vote] : votes_) granted += vote ? 1 : 0;
  const size_t rejected = votes_.size() - granted;
  if (granted >= Quorum()) {
    if (role_ == Role::kPreCandidate) {
      BecomeCandidate();
      RequestVotes(MessageType::kVote, term_, false);
    } else {
      BecomeLeader();
    }
  } else if (rejected > config_.current().voters.size() - Quorum()) {
    BecomeFollower(term_, kNoNode);
  }
}

// A candidate counts its own vote only once it is durable: a node that crashed before
// persisting it could otherwise vote twice in one term.
void Core::CountSelfVote() {
  RMQ_ASSERT(role_ == Role::kCandidate);
  if (persisted_hard_.term != term_ || persisted_hard_.voted_for != options_.id) return;
  if (votes_.contains(options_.id)) return;
  Message own{.type = MessageType::kVoteResponse, .from = options_.id, .to = options_.id, .term = term_};
  HandleVoteResponse(own);
}

}  // namespace raftmq::raft
