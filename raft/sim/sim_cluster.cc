#include "raft/sim/sim_cluster.h"

#include <algorithm>
#include <sstream>

#include "common/assert.h"

namespace raftmq::raft::sim {

namespace {
// A Ready loop that never settles is a bug (a Core that always has more work).
constexpr int kReadysPerDrainMax = 10000;
// What the simulated application proposes: any kind Raft leaves to the application.
constexpr EntryKind kSimulatedEntry{2};
}  // namespace

SimCluster::SimCluster(uint64_t seed, size_t node_count, const CoreOptions& base, uint64_t tick_interval_ms,
                       const SimModel& model)
    : prng_(seed), base_(base), model_(model), network_(prng_) {
  RMQ_ASSERT(node_count >= 1);
  RMQ_ASSERT(tick_interval_ms >= 2);
  for (size_t i = 0; i < node_count; ++i) ids_.push_back(NodeId(i + 1));
  base_.voters = ids_;
  bootstrap_voters_ = ids_;
  for (size_t i = node_count; i < node_count + model_.spare_nodes; ++i) ids_.push_back(NodeId(i + 1));
  for (NodeId id : ids_) {
    auto node = std::make_unique<Node>();
    node->id = id;
    // Clocks drift a little, so nodes' ticks slide against each other.
    node->tick_interval_ms = tick_interval_ms + prng_.Between(0, 3) - 1;
    // An empty node recovers until it joins (Core sees a wiped log); counted as such, so no
    // fault leaves a majority of the group empty or recovering before it ever formed.
    node->needs_recovery = true;
    node->forgot_term = true;
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
  // A node outside the bootstrap configuration joins (raft/core.h, "Joining"): what it knows
  // of its group comes from its log, its record or a snapshot, never from its options; so does
  // a spare that was wiped.
  if (!IsBootstrapVoter(id)) options.voters.clear();
  options.random_seed = prng_.Next();
  // What the broker does with the boot id: a node that lost data it may have acknowledged
  // recovers until caught up, also across further restarts.
  options.may_have_lost_acknowledged_entries = node.needs_recovery;
  options.may_have_forgotten_term = node.forgot_term;
  // A crash fell between the log's reset to a received snapshot and the state machine's
  // restore: finish it from the received snapshot first (Core::Create refuses otherwise).
  if (node.applied + 1 < node.log.FirstIndex()) {
    RMQ_ASSERT(node.received && node.received->meta.index + 1 == node.log.FirstIndex());
    RestoreStateMachine(node);
  }
  storage::HardState hard_state = node.hard_state.LoadHardState().value();
  // Under async flush a power loss may cut the log below the saved commit hint.
  const Index commit = node.needs_recovery && hard_state.commit > node.log.LastIndex() ? node.log.LastIndex()
                                                                                       : hard_state.commit;
  checker_.OnRestart(id, node.log, commit);
  std::optional<storage::ConfRecord> applied_conf;
  if (node.AppliedConf()) applied_conf = storage::ConfRecord{node.confs.back().first, *node.AppliedConf()};
  auto core = Core::Create(options, node.log, hard_state, node.applied, &node.snapshots, applied_conf);
  RMQ_ASSERT_MSG(core.ok(), core.status().ToString().c_str());
  node.core = std::move(core).value();
  node.crash_mid_ready = false;
  node.reported_commit = node.core->commit_index();
  node.voters_in_force = node.core->configuration().voters;
  node.configured = !node.voters_in_force.empty();
  node.next_tick_ms = now_ms_ + prng_.Between(1, node.tick_interval_ms + 1);
  node.synced_ms = now_ms_;
  node.compacted_ms = now_ms_;
  node.ticks_since_leader = 0;
  node.suspected_leader = kNoNode;
  RMQ_ASSERT(!node.needs_recovery || node.core->recovering());
  ++node.restarts;
}

// An empty node (never joined, or wiped) counts as needing recovery whatever its last run
// did: Core recovers on an empty log, and a majority of empty nodes is a new group to it.
bool SimCluster::KeepsMajority(const std::vector<NodeId>& voters, NodeId losing) const {
  size_t needing = 0;
  for (NodeId voter : voters) {
    const Node& node = Get(voter);
    // An empty log holds nothing committed, whatever its term (a node that ended its recovery
    // for a majority loss before it got the first entry).
    needing += voter == losing || node.needs_recovery || node.log.LastIndex() == Index(0);
  }
  // Those that keep their data must be a majority (with 4 voters, 2 losing theirs is too many).
  return voters.size() - needing >= voters.size() / 2 + 1;
}

bool SimCluster::IsBootstrapVoter(NodeId id) const {
  return std::find(bootstrap_voters_.begin(), bootstrap_voters_.end(), id) != bootstrap_voters_.end();
}

bool SimCluster::WouldLoseMajority(NodeId id) const {
  if (!KeepsMajority(base_.voters, id)) return true;
  for (const auto& node : nodes_) {
    // A joining node that has not learned its group yet holds no configuration to keep.
    if (!node->voters_in_force.empty() && !KeepsMajority(node->voters_in_force, id)) return true;
    if (node->AppliedConf() && !KeepsMajority(node->AppliedConf()->voters, id)) return true;
  }
  return false;
}

void SimCluster::Crash(NodeId id, CrashKind kind, bool mid_ready) {
  Node& node = Get(id);
  if (node.core == nullptr) return;
  if (mid_ready) {
    node.crash_mid_ready = true;
    return;
  }
  node.core.reset();
  ++stats_.crashes;
  StreamsEnded(id);
  if (kind == CrashKind::kProcess) return;
  // A power loss under async flush may take acknowledged entries: unless that would leave a
  // majority without them, the node loses its unsynced tail and comes back recovering.
  if (model_.async_flush && WouldLoseMajority(id)) return;
  network_.SenderDied(id);
  node.log.Crash(prng_);
  // The state machine loses what it applied beyond the log it keeps, like the rest of the page cache.
  if (node.applied > node.log.LastIndex()) {
    node.applied = node.log.LastIndex();
    node.applied_chain = node.log.ChainHashAt(node.applied);
    while (!node.confs.empty() && node.confs.back().first > node.applied) node.confs.pop_back();
  }
  if (model_.async_flush) {
    node.needs_recovery = true;
    ++stats_.power_losses_recovering;
  }
}

void SimCluster::Wipe(NodeId id) {
  Node& node = Get(id);
  RMQ_ASSERT(node.core == nullptr);
  if (WouldLoseMajority(id)) return;
  node.log.Wipe();
  node.hard_state.Wipe();
  node.applied = Index(0);
  node.applied_chain = 0;
  node.confs.clear();
  node.voters_in_force = IsBootstrapVoter(id) ? base_.voters : std::vector<NodeId>();
  node.snapshots.Wipe();
  node.received.reset();
  node.needs_recovery = true;
  node.forgot_term = true;
  ++stats_.power_losses_recovering;
  network_.SenderDied(id);
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
  Result<Index> index = node.core->Propose(kSimulatedEntry, std::move(payload));
  Drain(node);
  return index;
}

Result<Index> SimCluster::ProposeConfChange(NodeId id, const ConfChange& change) {
  Node& node = Get(id);
  if (!node.core) return Status::Unavailable("node down");
  Result<Index> index = node.core->ProposeConfChange(change);
  if (index.ok()) {
    switch (change.type) {
      case ConfChangeType::kAddLearner: ++stats_.learners_added; break;
      case ConfChangeType::kPromote: ++stats_.promotions; break;
      case ConfChangeType::kRemove: ++(change.node == id ? stats_.leader_removals : stats_.removals); break;
      case ConfChangeType::kBootstrap: break;  // never proposed (refused)
    }
  }
  Drain(node);
  return index;
}

std::optional<ConfState> SimCluster::ConfigurationOf(NodeId id) const {
  const Node& node = Get(id);
  if (!node.core) return std::nullopt;
  return node.core->configuration();
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
    if (const uint64_t campaign = NextCampaignMs(); campaign < next) next = campaign;
    if (next > time_ms) break;
    now_ms_ = next;
    while (auto delivery = network_.PopDue(now_ms_)) Deliver(std::move(*delivery));
    for (const Message& lost : network_.TakeLostSnapshots()) ReportSnapshot(lost.from, lost.to, false);
    for (const auto& node : nodes_) {
      if (!node->core || node->next_tick_ms > now_ms_) continue;
      node->next_tick_ms = now_ms_ + node->tick_interval_ms;
      Tick(*node);
    }
    for (const auto& node : nodes_) {
      if (node->core) MaybeCampaignEarly(*node);
    }
  }
  if (checker_.ok()) now_ms_ = time_ms;
}

// A kSnapshot hands its snapshot to the target's driver, and its transfer is reported to the
// leader's Core: delivered once stepped, lost when the target is down.
void SimCluster::Deliver(SimNetwork::Delivery delivery) {
  const Message& message = delivery.message;
  Node& target = Get(message.to);
  const bool snapshot = message.type == MessageType::kSnapshot;
  if (!target.core) {
    if (snapshot) ReportSnapshot(message.from, message.to, false);
    return;
  }
  if (snapshot) target.received = delivery.snapshot;
  Step(target, message);
  if (snapshot) ReportSnapshot(message.from, message.to, true);
}

void SimCluster::ReportSnapshot(NodeId leader, NodeId to, bool delivered) {
  Node& node = Get(leader);
  if (!delivered) ++stats_.snapshot_transfers_failed;
  if (!node.core) return;
  node.core->ReportSnapshot(to, delivered);
  Drain(node);
}

void SimCluster::Step(Node& node, const Message& message) {
  node.core->Step(message);
  // As raft::Node::NoteHeardFrom: after Step, so a new leader is known.
  if (message.from == node.suspected_leader) node.suspected_leader = kNoNode;
  if (message.from == node.core->leader()) node.ticks_since_leader = 0;
  Drain(node);
}

void SimCluster::Tick(Node& node) {
  node.core->Tick();
  ++node.ticks_since_leader;
  Drain(node);
  // The CommitLog's periodic flush under async.
  if (node.core && model_.async_flush && now_ms_ - node.synced_ms >= model_.flush_interval_ms) {
    RMQ_ASSERT(node.log.Sync().ok());
    node.synced_ms = now_ms_;
  }
  if (node.core && checker_.ok() && model_.compaction_interval_ms > 0 &&
      now_ms_ - node.compacted_ms >= model_.compaction_interval_ms) {
    Compact(node);
    node.compacted_ms = now_ms_;
  }
}

void SimCluster::Compact(Node& node) {
  RMQ_ASSERT(node.core && !node.core->HasReady());
  if (node.applied == Index(0)) return;
  // Every node takes one before retention deletes: a leader always holds a snapshot at or
  // beyond its compaction point.
  Result<Term> term = node.log.TermAt(node.applied);
  RMQ_ASSERT_MSG(term.ok(), "the applied entry is held (compaction stays at or below it)");
  // A node that applied entries knows its group (entry 1 is the bootstrap, or a snapshot).
  const storage::ConfState conf = node.core->applied_configuration();
  RMQ_ASSERT_MSG(!conf.voters.empty(), "a node that applied entries has no configuration");
  const SimSnapshot snapshot{.meta = {.index = node.applied, .term = *term, .conf_state = conf},
                             .applied_chain = node.applied_chain};
  checker_.OnSnapshotTaken(node.id, snapshot, node.core->commit_index());
  node.snapshots.Save(snapshot);
  // Retention drops whole old segments: durable, applied ones, never the last durable entry.
  const Index bound = node.applied < node.log.DurableLastIndex() ? node.applied : node.log.DurableLastIndex();
  if (bound <= node.log.FirstIndex()) return;
  node.log.CompactBelow(Index(prng_.Between(node.log.FirstIndex().value() + 1, bound.value() + 1)));
  ++stats_.compactions;
}

void SimCluster::Drain(Node& node) {
  for (int i = 0; node.core && node.core->HasReady() && checker_.ok(); ++i) {
    RMQ_ASSERT_MSG(i < kReadysPerDrainMax, "a Core never stops producing Readys");
    // A leader's commit moves only by counting its voters (a follower's by its leader's word).
    const bool leader = node.core->role() == Role::kLeader;
    Ready ready = node.core->TakeReady();
    ++stats_.readys;
    if (leader && ready.hard_state && ready.hard_state->commit > node.reported_commit) {
      CheckLeaderCommit(node, ready.hard_state->commit);
    }
    if (ready.hard_state) node.reported_commit = ready.hard_state->commit;
    if (HandleReady(node, ready)) node.core->Advance();
  }
  if (node.core) {
    node.needs_recovery = node.core->recovering();
    node.forgot_term = node.forgot_term && node.needs_recovery;
    node.voters_in_force = node.core->configuration().voters;
    if (!node.configured && !node.voters_in_force.empty()) {
      node.configured = true;
      ++stats_.joins;
    }
  }
}

bool SimCluster::HandleReady(Node& node, Ready& ready) {
  SendAll(node, ready.messages);  // need no persistence: may leave before the disk write
  if (node.crash_mid_ready && (!ready.entries.empty() || ready.hard_state || ready.snapshot)) {
    // Dies after the log's reset, before the state machine's restore (Restart finishes it).
    if (ready.snapshot) ResetLogToSnapshot(node, *ready.snapshot);
    if (ready.truncate_after) RMQ_ASSERT(node.log.TruncateSuffix(*ready.truncate_after).ok());
    RMQ_ASSERT(node.log.Append(ready.entries).ok());
    node.crash_mid_ready = false;
    ++stats_.crashes_mid_ready;
    Crash(node.id, CrashKind::kPowerLoss);
    return false;
  }
  Persist(node, ready);
  if (ready.soft_state && ready.soft_state->role != Role::kFollower) {
    checker_.OnCampaign(node.id, ready.soft_state->role, node.core->configuration());
  }
  if (ready.soft_state && ready.soft_state->role == Role::kLeader) {
    checker_.OnLeader(node.id, ready.soft_state->term, node.log);
    last_leader_elected_ms_ = now_ms_;
    ++stats_.leaders_elected;
  }
  SendAll(node, ready.messages_after_persist);
  Apply(node, ready.committed_entries, ready.conf_state);
  return true;
}

void SimCluster::CheckLeaderCommit(const Node& leader, Index commit) {
  // Only under sync flush is every acknowledgement durable; a commit hint carried over a
  // restart is not this leader's count.
  if (model_.async_flush || commit > leader.log.LastIndex() || commit < leader.log.FirstIndex()) return;
  const uint64_t chain = leader.log.ChainHashAt(commit);
  const std::vector<NodeId>& voters = leader.core->configuration().voters;
  size_t holding = 0;
  for (NodeId voter : voters) {
    const Node& node = Get(voter);
    // Compacted below: it applied it. A wiped node may have held it.
    const bool holds = node.log.FirstIndex() > commit ||
                       (node.log.LastIndex() >= commit && node.log.ChainHashAt(commit) == chain);
    holding += holds || node.needs_recovery ? 1 : 0;
  }
  checker_.OnLeaderCommit(leader.id, commit, holding, voters.size());
}

void SimCluster::ResetLogToSnapshot(Node& node, const storage::SnapshotMeta& snapshot) {
  RMQ_ASSERT_MSG(node.received && node.received->meta == snapshot, "a snapshot installed that was not received");
  RMQ_ASSERT(node.log.ResetToSnapshot(snapshot, node.received->applied_chain).ok());
  ++stats_.snapshots_installed;
}

void SimCluster::RestoreStateMachine(Node& node) {
  RMQ_ASSERT(node.received && node.received->meta.index + 1 == node.log.FirstIndex());
  checker_.OnRestore(node.id, *node.received);
  node.applied = node.received->meta.index;
  node.applied_chain = node.received->applied_chain;
  node.confs.assign(1, {node.applied, node.received->meta.conf_state});
  // The installed snapshot is this node's own now: as a leader it may send it on.
  node.snapshots.Save(*node.received);
  node.received.reset();
}

void SimCluster::Persist(Node& node, const Ready& ready) {
  if (ready.snapshot) {
    ResetLogToSnapshot(node, *ready.snapshot);
    RestoreStateMachine(node);
  }
  const Index first_new = ready.entries.empty() ? Index(0) : ready.entries.front().index;
  if (ready.truncate_after) {
    RMQ_ASSERT(node.log.TruncateSuffix(*ready.truncate_after).ok());
    ++stats_.truncations;
  }
  RMQ_ASSERT(node.log.Append(ready.entries).ok());
  // Under async the CommitLog's Sync() returns at once; the periodic flush (Tick) syncs.
  if (ready.must_sync && !model_.async_flush) RMQ_ASSERT(node.log.Sync().ok());
  // A change of the commit hint alone may wait (as raft::Node may let it); term and vote may not.
  if (ready.hard_state && (ready.must_sync || prng_.Chance(1, 2))) {
    RMQ_ASSERT(node.hard_state.SaveHardState(*ready.hard_state).ok());
  }
  if (first_new > Index(0)) checker_.OnAppended(node.id, node.log, first_new);
  RMQ_ASSERT(node.log.LastIndex() == node.core->last_index());
  checker_.OnCommit(node.id, node.log, node.core->commit_index(), node.core->term());
}

void SimCluster::Apply(Node& node, const std::vector<storage::LogEntry>& entries,
                       const std::optional<storage::ConfState>& conf_state) {
  for (const storage::LogEntry& entry : entries) {
    checker_.OnApply(node.id, node.applied, entry);
    node.applied = entry.index;
    node.applied_chain = HashEntry(node.applied_chain, entry);
  }
  // Persisted as raft::Node does (ready.h, step 5): the Core's record, standing at the index of
  // the change that made it, with the applied index it holds from.
  if (conf_state) {
    const storage::ConfRecord record = node.core->applied_conf_record();
    RMQ_ASSERT(record.conf == *conf_state && record.index <= node.applied);
    node.confs.emplace_back(record.index, record.conf);
  }
}

void SimCluster::SendAll(const Node& node, std::vector<Message>& messages) {
  for (Message& message : messages) {
    if (message.type != MessageType::kSnapshot) {
      network_.Send(now_ms_, std::move(message));
      continue;
    }
    // The snapshot the Core named is the latest this node holds (it asked the store).
    const std::optional<SimSnapshot>& snapshot = node.snapshots.latest();
    RMQ_ASSERT(snapshot && snapshot->meta.index == message.log_index && snapshot->meta.term == message.log_term);
    checker_.OnSnapshotSent(node.id, message.log_index, node.core->commit_index());
    ++stats_.snapshots_sent;
    network_.Send(now_ms_, std::move(message), snapshot);
  }
}

std::string SimCluster::Describe() const {
  std::ostringstream out;
  for (NodeId id : ids_) {
    const Node& node = Get(id);
    out << "  n" << id;
    if (node.core == nullptr) {
      out << " down" << (node.needs_recovery ? " needs-recovery" : "") << "\n";
      continue;
    }
    const Core& core = *node.core;
    out << " " << RoleName(core.role()) << " term=" << core.term() << " leader=" << core.leader()
        << " last=" << core.last_index() << " commit=" << core.commit_index() << " applied=" << node.applied
        << (core.recovering() ? " recovering" : "") << (node.forgot_term ? " forgot-term" : "") << " voters=[";
    for (NodeId voter : core.configuration().voters) out << voter << (voter == core.configuration().voters.back() ? "" : ",");
    out << "]";
    for (const PeerStatus& peer : core.Peers()) {
      out << " | peer " << peer.id << " match=" << peer.match << " next=" << peer.next
          << (peer.replicating ? "" : " probing") << (peer.recent_active ? "" : " inactive");
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace raftmq::raft::sim
