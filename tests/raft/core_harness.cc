#include "core_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {

CoreOptions TestOptions() {
  CoreOptions options;
  options.heartbeat_interval_ticks = 1;
  options.election_timeout_ticks_min = 10;
  options.election_timeout_ticks_max = 20;
  return options;
}

CoreOptions NoLeaseOptions() {
  CoreOptions options = TestOptions();
  options.check_quorum = false;
  return options;
}

CoreHarness::CoreHarness(size_t node_count, CoreOptions base, size_t voter_count) : base_(std::move(base)) {
  base_.voters.clear();
  if (voter_count == 0) voter_count = node_count;
  for (size_t i = 1; i <= voter_count; ++i) base_.voters.push_back(NodeId(i));
  for (size_t i = 1; i <= node_count; ++i) {
    nodes_.push_back(std::make_unique<Node>());
    Restart(NodeId(i));
  }
}

void CoreHarness::Restart(NodeId id, bool power_lost) {
  Node& n = node(id);
  CoreOptions options = base_;
  options.id = id;
  // A node outside the bootstrap configuration joins: it learns the group from its leader.
  if (std::find(base_.voters.begin(), base_.voters.end(), id) == base_.voters.end()) options.voters.clear();
  options.may_have_lost_acknowledged_entries = power_lost;
  options.random_seed = id;
  auto core =
      Core::Create(options, n.log, n.hard_state.LoadHardState().value(), n.AppliedIndex(), &n.snapshots,
                   n.conf_state ? std::optional(storage::ConfRecord{n.AppliedIndex(), *n.conf_state}) : std::nullopt);
  ASSERT_TRUE(core.ok()) << core.status().ToString();
  n.core = std::move(core).value();
}

void CoreHarness::CutLog(NodeId id, Index keep) {
  Node& n = node(id);
  if (keep < n.log.LastIndex()) {
    ASSERT_TRUE(n.log.TruncateSuffix(keep).ok());
  }
  while (!n.applied.empty() && n.applied.back().index > keep) n.applied.pop_back();
}

void CoreHarness::Compact(NodeId id, Index first) {
  Node& n = node(id);
  const Index applied = n.AppliedIndex();
  ASSERT_LE(first, applied);
  Result<Term> term = n.log.TermAt(applied);
  ASSERT_TRUE(term.ok()) << term.status().ToString();
  // The configuration as of the applied index: the driver's record, else the bootstrap's.
  storage::ConfState conf = n.conf_state.value_or(storage::ConfState{.voters = base_.voters});
  n.snapshots.Save(sim::SimSnapshot{.meta = {.index = applied, .term = *term, .conf_state = conf}});
  if (first > n.log.FirstIndex()) n.log.CompactBelow(first);
}

void CoreHarness::StartEstablished(Term term) {
  for (size_t i = 1; i <= nodes_.size(); ++i) {
    ASSERT_TRUE(node(NodeId(i)).hard_state.SaveHardState(storage::HardState{.term = term}).ok());
    Restart(NodeId(i));
    ASSERT_FALSE(core(NodeId(i)).recovering());
  }
}

void CoreHarness::Process() {
  for (auto& n : nodes_) {
    while (n->core->HasReady()) {
      Ready ready = n->core->TakeReady();
      if (trace_ != nullptr) *trace_ += DescribeReady(n->core->id(), ready);
      if (ready.snapshot) {
        // The harness moves no files: the state machine's state is what it applies after.
        EXPECT_TRUE(n->log.ResetToSnapshot(*ready.snapshot).ok());
        n->applied.clear();
        n->restored_at = ready.snapshot->index;
        n->conf_state = ready.snapshot->conf_state;
        n->snapshots.Save(sim::SimSnapshot{.meta = *ready.snapshot});
      }
      if (ready.truncate_after) {
        EXPECT_TRUE(n->log.TruncateSuffix(*ready.truncate_after).ok());
      }
      EXPECT_TRUE(n->log.Append(ready.entries).ok());
      if (ready.must_sync) {
        EXPECT_TRUE(n->log.Sync().ok());
      }
      if (ready.hard_state) {
        EXPECT_TRUE(n->hard_state.SaveHardState(*ready.hard_state).ok());
      }
      for (const Message& m : ready.messages) outbox_.push_back(m);
      for (const Message& m : ready.messages_after_persist) outbox_.push_back(m);
      for (const storage::LogEntry& e : ready.committed_entries) n->applied.push_back(e);
      if (ready.conf_state) n->conf_state = ready.conf_state;
      n->readys.push_back(std::move(ready));
      n->core->Advance();
    }
  }
}

bool CoreHarness::Dropped(const Message& message) const {
  return isolated_.contains(message.from) || isolated_.contains(message.to);
}

std::vector<Message> CoreHarness::TakeOutbox() {
  Process();
  std::vector<Message> taken;
  taken.swap(outbox_);
  return taken;
}

void CoreHarness::Deliver(const Message& message) {
  if (Dropped(message)) return;
  core(message.to).Step(message);
  Process();
}

void CoreHarness::Stabilize() {
  Process();
  // Bounded: a healthy group settles in a few rounds.
  for (int round = 0; round < 1000 && !outbox_.empty(); ++round) {
    for (const Message& message : TakeOutbox()) Deliver(message);
  }
  ASSERT_TRUE(outbox_.empty()) << "the group did not settle";
}

void CoreHarness::Tick(NodeId id, uint32_t ticks) {
  for (uint32_t i = 0; i < ticks; ++i) {
    core(id).Tick();
    Process();
  }
}

void CoreHarness::Elect(NodeId id) {
  core(id).Campaign();
  Stabilize();
  ASSERT_EQ(core(id).role(), Role::kLeader) << "node " << id << " did not win";
}

Index CoreHarness::Propose(NodeId leader, const std::string& payload) {
  Result<Index> index = core(leader).Propose(kApplicationEntry, payload);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  Stabilize();
  return index.ok() ? *index : Index(0);
}

namespace {

std::string DescribeEntries(const std::vector<storage::LogEntry>& entries) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const storage::LogEntry& e = entries[i];
    out << (i ? " " : "") << e.index << "/" << e.term;
    if (e.kind == kNoopEntry) out << ":noop";
    if (e.kind == kMembershipEntry) {
      Result<ConfChange> change = DecodeConfChange(e.payload);
      out << ":conf(" << (change.ok() ? DescribeConfChange(*change) : change.status().ToString()) << ")";
    } else if (!e.payload.empty()) {
      out << ":" << e.payload;
    }
  }
  out << "]";
  return out.str();
}

}  // namespace

std::string DescribeMessage(const Message& m) {
  std::ostringstream out;
  out << m.from << "->" << m.to << " " << MessageTypeName(m.type) << " term=" << m.term;
  switch (m.type) {
    case MessageType::kAppend:
      out << " prev=" << m.log_index << "/" << m.log_term << " commit=" << m.commit << " " << DescribeEntries(m.entries);
      break;
    case MessageType::kAppendResponse:
      out << " index=" << m.log_index << " commit=" << m.commit;
      if (m.reject) out << " REJECT hint=" << m.reject_hint_index << "/" << m.reject_hint_term;
      break;
    case MessageType::kHeartbeat:
      out << " commit=" << m.commit;
      if (m.read_round != 0) out << " read_round=" << m.read_round;
      break;
    case MessageType::kSnapshot:
      out << " snapshot=" << m.log_index << "/" << m.log_term << " commit=" << m.commit;
      break;
    case MessageType::kHeartbeatResponse:
      out << " last=" << m.log_index;
      if (m.read_round != 0) out << " read_round=" << m.read_round;
      break;
    case MessageType::kVote:
    case MessageType::kPreVote:
      out << " last=" << m.log_index << "/" << m.log_term << (m.leadership_transfer ? " transfer" : "");
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse: out << (m.reject ? " REJECT" : " grant"); break;
    default: break;
  }
  if (m.recovering) out << " recovering";
  if (m.forgot_term) out << " forgot-term";
  if (m.recovery_target > Index(0)) out << " recovery_target=" << m.recovery_target;
  return out.str();
}

std::string DescribeReady(NodeId node, const Ready& ready) {
  std::ostringstream out;
  const std::string prefix = "n" + std::to_string(node) + " ";
  if (ready.soft_state) {
    out << prefix << "role=" << RoleName(ready.soft_state->role) << " leader=" << ready.soft_state->leader
        << " term=" << ready.soft_state->term << (ready.soft_state->recovering ? " recovering" : "") << "\n";
  }
  if (ready.snapshot) {
    out << prefix << "install snapshot " << ready.snapshot->index << "/" << ready.snapshot->term << " "
        << DescribeConfState(ready.snapshot->conf_state) << "\n";
  }
  if (ready.hard_state) {
    out << prefix << "persist hard state term=" << ready.hard_state->term << " vote=" << ready.hard_state->voted_for
        << " commit=" << ready.hard_state->commit << (ready.must_sync ? " (sync)" : "") << "\n";
  }
  if (ready.truncate_after) out << prefix << "truncate after " << *ready.truncate_after << "\n";
  if (!ready.entries.empty()) out << prefix << "append " << DescribeEntries(ready.entries) << "\n";
  for (const Message& m : ready.messages) out << prefix << "send " << DescribeMessage(m) << "\n";
  for (const Message& m : ready.messages_after_persist) out << prefix << "send after persist " << DescribeMessage(m) << "\n";
  if (!ready.committed_entries.empty()) out << prefix << "apply " << DescribeEntries(ready.committed_entries) << "\n";
  if (ready.conf_state) out << prefix << "applied configuration " << DescribeConfState(*ready.conf_state) << "\n";
  for (const ReadState& read : ready.read_states) {
    out << prefix << "read " << read.request << " at index " << read.index << "\n";
  }
  if (ready.majority_loss) {
    out << prefix << "MAJORITY LOSS: entries after " << ready.majority_loss->log_last << " may be lost (commit seen "
        << ready.majority_loss->commit_seen << ")\n";
  }
  return out.str();
}

}  // namespace raftmq::raft::test
