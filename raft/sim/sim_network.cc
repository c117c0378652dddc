#include "raft/sim/sim_network.h"

#include "common/assert.h"

namespace raftmq::raft::sim {

uint32_t SimNetwork::GroupOf(NodeId node) const {
  auto it = groups_.find(node);
  return it == groups_.end() ? 0 : it->second;
}

void SimNetwork::Send(uint64_t now_ms, Message message, std::optional<SimSnapshot> snapshot) {
  RMQ_ASSERT(message.from != message.to);
  RMQ_ASSERT(snapshot.has_value() == (message.type == MessageType::kSnapshot));
  if (prng_.Chance(faults_.drop_per_mille, 1000)) return Lost(message);
  if (prng_.Chance(faults_.duplicate_per_mille, 1000)) Enqueue(now_ms, message, snapshot);
  Enqueue(now_ms, std::move(message), std::move(snapshot));
}

void SimNetwork::Lost(const Message& message) {
  if (message.type == MessageType::kSnapshot && lost_snapshots_.size() < kMessagesInFlightMax) {
    lost_snapshots_.push_back(message);
  }
}

std::vector<Message> SimNetwork::TakeLostSnapshots() {
  std::vector<Message> lost;
  lost.swap(lost_snapshots_);
  return lost;
}

void SimNetwork::Enqueue(uint64_t now_ms, Message message, std::optional<SimSnapshot> snapshot) {
  if (queue_.size() >= kMessagesInFlightMax) return Lost(message);
  const uint64_t delay_ms = prng_.Between(faults_.delay_ms_min, faults_.delay_ms_max);
  queue_.push(InFlight{now_ms + delay_ms, sequence_++, std::move(message), std::move(snapshot)});
}

std::optional<SimNetwork::Delivery> SimNetwork::PopDue(uint64_t now_ms) {
  while (!queue_.empty() && queue_.top().deliver_ms <= now_ms) {
    InFlight top = queue_.top();
    queue_.pop();
    // A partition cuts messages still on the wire too.
    if (!Connected(top.message.from, top.message.to)) {
      Lost(top.message);
      continue;
    }
    auto dead = dead_before_sequence_.find(top.message.from);
    if (dead != dead_before_sequence_.end() && top.sequence < dead->second) {
      Lost(top.message);
      continue;
    }
    ++delivered_;
    return Delivery{std::move(top.message), std::move(top.snapshot)};
  }
  return std::nullopt;
}

std::optional<uint64_t> SimNetwork::NextDeliveryMs() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().deliver_ms;
}

}  // namespace raftmq::raft::sim
