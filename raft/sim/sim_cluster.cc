#include "raft/sim/sim_cluster.h"

#include "common/assert.h"

namespace raftmq::raft::sim {

namespace {
// A Ready loop that never settles is a bug (a Core that always has more work).
constexpr int kReadysPerDrainMax = 10000;
}  // namespace

SimCluster::SimCluster(uint64_t seed, size_t node_count, const CoreOptions& base, uint64_t tick_interval_ms)
    : prng_(seed), base_(base), network_(prng_) {
  RMQ_ASSERT(node_count >= 1);
  RMQ_ASSERT(tick_interval_ms >= 2);
  for (size_t i = 0; i < node_count; ++i) ids_.push_back(NodeId(i + 1));
  base_.voters = ids_;
  for (NodeId id : ids_) {
    auto node = std::make_unique<Node>();
    node->id = id;
    // Clocks drift a little, so nodes' ticks slide against each other.
    node->tick_interval_ms = tick_interval_ms + prng_.Between(0, 3) - 1;
    nodes_.push_back(std::move(node));
    Restart(id);
  }
}

SimCluster::Node& SimCluster::Get(NodeId node) {
  RMQ_ASSERT(node >= 1 && node <= nodes_.size());
  return *nodes_[node - 1];
}

const SimCluster::Node& SimCluster::Get(NodeId node) const {
  RMQ_ASSERT(node >= 1 && node <= nodes_.size());
  return *nodes_[node - 1];
}

void SimCluster::Restart(NodeId id) {
  Node& node = Get(id);
  RMQ_ASSERT(node.core == nullptr);
  CoreOptions options = base_;
  options.id = id;
  options.random_seed = prng_.Next();
  storage::HardState hard_state = node.hard_state.LoadHardState().value();
  checker_.OnRestart(id, node.log, hard_state.commit);
  auto core = Core::Create(options, node.log, hard_state, node.applied);
  RMQ_ASSERT_MSG(core.ok(), core.status().ToString().c_str());
  node.core = std::move(core).value();
  node.crash_mid_ready = false;
  node.next_tick_ms = now_ms_ + prng_.Between(1, node.tick_interval_ms + 1);
  ++node.restarts;
}

void SimCluster::Crash(NodeId id, bool mid_ready) {
  Node& node = Get(id);
  if (node.core == nullptr) return;
  if (mid_ready) {
    node.crash_mid_ready = true;
    return;
  }
  node.core.reset();
  node.log.Crash(prng_);
  ++stats_.crashes;
}

Term SimCluster::TermOf(NodeId id) const {
  const Node& node = Get(id);
  return node.core ? node.core->term() : Term(0);
}

NodeId SimCluster::Leader() const {
  NodeId leader = kNoNode;
  Term best;
  for (const auto& node : nodes_) {
    if (node->core && node->core->role() == Role::kLeader && node->core->term() >= best) {
      leader = node->id;
      best = node->core->term();
    }
  }
  return leader;
}

Result<Index> SimCluster::Propose(NodeId id, std::string payload) {
  Node& node = Get(id);
  if (!node.core) return Status::Unavailable("node down");
  Result<Index> index = node.core->Propose(storage::EntryType::kMessageBatch, std::move(payload));
  Drain(node);
  return index;
}

Status SimCluster::TransferLeadership(NodeId id, NodeId target) {
  Node& node = Get(id);
  if (!node.core) return Status::Unavailable("node down");
  Status status = node.core->TransferLeadership(target);
  Drain(node);
  return status;
}

void SimCluster::RunUntil(uint64_t time_ms) {
  while (checker_.ok()) {
    uint64_t next = time_ms + 1;
    for (const auto& node : nodes_) {
      if (node->core && node->next_tick_ms < next) next = node->next_tick_ms;
    }
    if (auto delivery = network_.NextDeliveryMs(); delivery && *delivery < next) next = *delivery;
    if (next > time_ms) break;
    now_ms_ = next;
    while (auto message = network_.PopDue(now_ms_)) {
      Node& target = Get(message->to);
      if (!target.core) continue;
      target.core->Step(*message);
      Drain(target);
    }
    for (const auto& node : nodes_) {
      if (!node->core || node->next_tick_ms > now_ms_) continue;
      node->next_tick_ms = now_ms_ + node->tick_interval_ms;
      node->core->Tick();
      Drain(*node);
    }
  }
  if (checker_.ok()) now_ms_ = time_ms;
}

void SimCluster::Drain(Node& node) {
  for (int i = 0; node.core && node.core->HasReady() && checker_.ok(); ++i) {
    RMQ_ASSERT_MSG(i < kReadysPerDrainMax, "a Core never stops producing Readys");
    Ready ready = node.core->TakeReady();
    ++stats_.readys;
    if (HandleReady(node, ready)) node.core->Advance();
  }
}

bool SimCluster::HandleReady(Node& node, Ready& ready) {
  SendAll(ready.messages);  // need no persistence: may leave before the disk write
  if (node.crash_mid_ready && (!ready.entries.empty() || ready.hard_state)) {
    if (ready.truncate_after) RMQ_ASSERT(node.log.TruncateSuffix(*ready.truncate_after).ok());
    RMQ_ASSERT(node.log.Append(ready.entries).ok());
    node.crash_mid_ready = false;
    ++stats_.crashes_mid_ready;
    Crash(node.id, /*mid_ready=*/false);
    return false;
  }
  Persist(node, ready);
  if (ready.soft_state && ready.soft_state->role == Role::kLeader) {
    checker_.OnLeader(node.id, ready.soft_state->term, node.log);
    last_leader_elected_ms_ = now_ms_;
    ++stats_.leaders_elected;
  }
  SendAll(ready.messages_after_persist);
  Apply(node, ready.committed_entries);
  return true;
}

void SimCluster::Persist(Node& node, const Ready& ready) {
  const Index first_new = ready.entries.empty() ? Index(0) : ready.entries.front().index;
  if (ready.truncate_after) {
    RMQ_ASSERT(node.log.TruncateSuffix(*ready.truncate_after).ok());
    ++stats_.truncations;
  }
  RMQ_ASSERT(node.log.Append(ready.entries).ok());
  if (ready.must_sync) RMQ_ASSERT(node.log.Sync().ok());
  // A change of the commit hint alone may wait (as raft::Node may let it); term and vote may not.
  if (ready.hard_state && (ready.must_sync || prng_.Chance(1, 2))) {
    RMQ_ASSERT(node.hard_state.SaveHardState(*ready.hard_state).ok());
  }
  if (first_new > Index(0)) checker_.OnAppended(node.id, node.log, first_new);
  RMQ_ASSERT(node.log.LastIndex() == node.core->last_index());
  checker_.OnCommit(node.id, node.log, node.core->commit_index());
}

void SimCluster::Apply(Node& node, const std::vector<storage::LogEntry>& entries) {
  for (const storage::LogEntry& entry : entries) {
    checker_.OnApply(node.id, node.applied, entry);
    node.applied = entry.index;
  }
}

void SimCluster::SendAll(std::vector<Message>& messages) {
  for (Message& message : messages) network_.Send(now_ms_, std::move(message));
}

}  // namespace raftmq::raft::sim
