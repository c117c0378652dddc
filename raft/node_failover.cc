// raft::Node, part three: campaigning early when the leader's stream ends (see
// NodeOptions::campaign_on_leader_disconnect for the rule and why it is safe).
//
// Why it must be reliable and not a single shot: the followers learn of the death each from
// its own stream and loop, not at the same instant (one may be busy in a synced write for a
// few hundred ms). A pre-vote reaching a follower still inside its leader lease is dropped
// without an answer, so a single early campaign that found the other follower still in lease
// stayed a pre-candidate until its election timeout (500-1000 ms): failover took 0.6-1.1 s
// instead of ~0.15 s. So (1) a vote request that arrives together with the news of the
// leader's stream ending is stepped after that news (the lease is run down first), and (2)
// the early campaign is repeated every tick while no leader is known, until the leader lease
// (election_timeout_ticks_min) has surely run out everywhere; then the election timeout
// takes over as before.
#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

void Node::HandleDisconnects(std::vector<NodeId>* peers) {
  RMQ_ASSERT(options_.core.election_timeout_ticks_min > 0);
  for (NodeId peer : *peers) {
    if (!options_.campaign_on_leader_disconnect || peer != core_->leader() || core_->role() != Role::kFollower) continue;
    // Run the leader lease down to its last tick (never past: that could start an election
    // here and now, on both followers at once); the next real tick ends it.
    const uint32_t lease_ticks = options_.core.election_timeout_ticks_min;
    while (ticks_since_leader_ + 1 < lease_ticks) {
      core_->Tick();
      ++ticks_since_leader_;
    }
    uint32_t rank = 0;
    // The voters in force: a joining node has none in its options, and the group may have changed.
    for (NodeId voter : core_->configuration().voters) rank += (voter != peer && voter < id_) ? 1 : 0;
    suspected_leader_ = peer;
    campaign_at_ = Clock::now() + std::chrono::milliseconds(options_.tick_interval_ms) * (2 + rank);
    spdlog::info("raft node {}: stream from leader {} ended; campaigning in {} ticks unless it speaks", id_, peer, 2 + rank);
  }
  peers->clear();
}

void Node::NoteHeardFrom(NodeId from) {
  if (from == suspected_leader_) {
    // Says why a follower that saw the stream end did not campaign early after all.
    spdlog::info("raft node {}: leader {} spoke again after its stream ended; not campaigning early", id_, from);
    suspected_leader_ = kNoNode;
  }
  if (from == core_->leader()) ticks_since_leader_ = 0;
}

void Node::MaybeCampaign() {
  const Clock::time_point now = Clock::now();
  if (suspected_leader_ != kNoNode && now >= campaign_at_) {
    RMQ_ASSERT(suspected_leader_ != id_);
    // Someone else may have won meanwhile (then the leader changed): only a follower still
    // waiting on the silent leader campaigns.
    if (core_->leader() == suspected_leader_ && core_->role() == Role::kFollower) {
      campaign_term_ = core_->term();
      core_->Campaign();
      campaign_retries_left_ = options_.core.election_timeout_ticks_min;
      campaign_retry_at_ = now + std::chrono::milliseconds(options_.tick_interval_ms);
    }
    suspected_leader_ = kNoNode;
    return;
  }
  if (campaign_retries_left_ == 0 || now < campaign_retry_at_) return;
  // Retried only while nobody leads and no real election (a candidate's, here or elsewhere:
  // the term moved) is under way: a pre-vote binds nothing, so a repeat costs two messages.
  const bool waiting = core_->leader() == kNoNode && core_->term() == campaign_term_ &&
                       (core_->role() == Role::kPreCandidate || core_->role() == Role::kFollower);
  if (!waiting) {
    campaign_retries_left_ = 0;
    return;
  }
  core_->Campaign();
  --campaign_retries_left_;
  campaign_retry_at_ = now + std::chrono::milliseconds(options_.tick_interval_ms);
}

bool Node::IsVoteRequest(const Message& message) {
  return message.type == MessageType::kPreVote || message.type == MessageType::kVote;
}

}  // namespace raftmq::raft
