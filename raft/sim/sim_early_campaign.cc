// SimCluster, part two: raft::Node's early campaign (node_failover.cc), modelled as the
// driver does it. When a node dies its peers' streams from it end; a follower of it runs its
// leader lease down to the last tick and campaigns after (2 + rank) ticks unless the leader
// speaks first.
#include "common/assert.h"
#include "raft/sim/sim_cluster.h"

namespace raftmq::raft::sim {

void SimCluster::StreamsEnded(NodeId dead) {
  if (!model_.early_campaign) return;
  for (const auto& peer : nodes_) {
    Node& node = *peer;
    if (!node.core || node.id == dead || node.core->leader() != dead || node.core->role() != Role::kFollower) continue;
    const uint32_t lease_ticks = base_.election_timeout_ticks_min;
    while (node.ticks_since_leader + 1 < lease_ticks) {
      node.core->Tick();
      ++node.ticks_since_leader;
    }
    Drain(node);
    uint32_t rank = 0;
    for (NodeId voter : node.core->configuration().voters) rank += (voter != dead && voter < node.id) ? 1 : 0;
    node.suspected_leader = dead;
    node.campaign_at_ms = now_ms_ + node.tick_interval_ms * (2 + rank);
  }
}

void SimCluster::MaybeCampaignEarly(Node& node) {
  RMQ_ASSERT(node.core != nullptr);
  if (node.suspected_leader == kNoNode || now_ms_ < node.campaign_at_ms) return;
  RMQ_ASSERT(node.suspected_leader != node.id);
  if (node.core->leader() == node.suspected_leader && node.core->role() == Role::kFollower) {
    node.core->Campaign();
    ++stats_.early_campaigns;
  }
  node.suspected_leader = kNoNode;
  Drain(node);
}

uint64_t SimCluster::NextCampaignMs() const {
  uint64_t next = UINT64_MAX;
  for (const auto& node : nodes_) {
    if (node->core && node->suspected_leader != kNoNode && node->campaign_at_ms < next) next = node->campaign_at_ms;
  }
  return next;
}

}  // namespace raftmq::raft::sim
