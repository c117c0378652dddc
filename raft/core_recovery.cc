// Core: the recovering state (see core.h, "Recovering"). A node that may have lost entries it
// acknowledged must not help elect a leader that lacks them, nor let its leader count its
// acknowledgement twice: it waits until its leader has given it back everything committed
// before the leader learned it recovers. A majority recovering at once cannot wait for anyone;
// it goes on and says what may be lost.
#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

void Core::NoteRecoveringVoter(NodeId voter) {
  RMQ_ASSERT(recovering_);
  RMQ_ASSERT(IsVoter(voter));
  recovering_voters_.insert(voter);
}

bool Core::MaybeEndRecoveryForMajority() {
  if (!recovering_) return false;
  if (IsVoter(options_.id)) recovering_voters_.insert(options_.id);
  // Who said so may have left the voters since (a change appended meanwhile).
  size_t recovering_voters = 0;
  for (NodeId voter : recovering_voters_) recovering_voters += IsVoter(voter) ? 1 : 0;
  if (recovering_voters < Quorum()) return false;
  StopRecovering();
  majority_loss_unresolved_ = true;
  majority_loss_ = MajorityLossNotice{.log_last = log_.LastIndex(), .commit_seen = commit_hint_at_start_};
  RMQ_ASSERT(!recovering_);
  return true;
}

void Core::MaybeEndRecovery(Index matched, Index target) {
  RMQ_ASSERT(role_ == Role::kFollower);
  RMQ_ASSERT(matched <= log_.LastIndex());
  // target 0: the leader has not yet heard that this node recovers; nothing proves it caught up.
  if (!recovering_ || target == Index(0) || matched < target) return;
  StopRecovering();
}

void Core::StopRecovering() {
  RMQ_ASSERT(recovering_);
  recovering_ = false;
  forgot_term_ = false;
  recovering_voters_.clear();
}

// A recovering node's election timeout: pre-votes that cannot make it a candidate (it may not
// campaign) but tell it which voters recover too.
void Core::StartRecoveryProbe() {
  RMQ_ASSERT(recovering_);
  RMQ_ASSERT(role_ != Role::kLeader);
  RMQ_ASSERT(IsVoter(options_.id));
  BecomePreCandidate();
  recovering_voters_.clear();
  recovering_voters_.insert(options_.id);
  votes_[options_.id] = true;
  if (MaybeEndRecoveryForMajority()) {  // a group of one
    StartElection(/*transfer=*/false);
    return;
  }
  RequestVotes(MessageType::kPreVote, term_ + 1, false);
}

}  // namespace raftmq::raft
