// SimNetwork: the simulator's network between raft::Cores. Messages wait in a queue ordered
// by delivery time; faults are drawn from the run's Prng: loss, delay (which also reorders),
// duplication, partitions (a node's group id: only equal groups talk), one-way cuts (from ->
// to dropped, to -> from delivered), and a sender's death (its messages still on the wire are
// lost, as a machine that lost power sends nothing more). A kSnapshot travels with the
// snapshot it names; each one lost on the way is kept for the driver to report
// (TakeLostSnapshots), as the snapshot transport reports a failed transfer.
//
// Invariants: a message is delivered no earlier than it was sent; the queue holds at most
// messages_in_flight_max messages (the rest are dropped, like a full socket buffer).
//
// Threading: single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include "raft/message.h"
#include "raft/prng.h"
#include "raft/sim/sim_snapshot.h"

namespace raftmq::raft::sim {

struct NetworkFaults {
  uint32_t drop_per_mille = 0;
  uint32_t duplicate_per_mille = 0;
  uint64_t delay_ms_min = 1;
  uint64_t delay_ms_max = 10;  // exclusive
};

class SimNetwork {
 public:
  static constexpr size_t kMessagesInFlightMax = 100000;

  explicit SimNetwork(Prng& prng) : prng_(prng) {}

  void set_faults(const NetworkFaults& faults) { faults_ = faults; }
  // Nodes talk only within their group; Heal() puts everyone back in group 0.
  void SetGroup(NodeId node, uint32_t group) { groups_[node] = group; }
  // Messages from `from` to `to` are dropped until Heal(); the other way still works.
  void CutOneWay(NodeId from, NodeId to) { one_way_cuts_.insert({from, to}); }
  void Heal() {
    groups_.clear();
    one_way_cuts_.clear();
  }
  bool Connected(NodeId from, NodeId to) const {
    return GroupOf(from) == GroupOf(to) && !one_way_cuts_.contains({from, to});
  }
  // Drops every message `node` sent so far that is still on the wire.
  void SenderDied(NodeId node) { dead_before_sequence_[node] = sequence_; }

  // `snapshot`: the snapshot a kSnapshot names (required with one, none otherwise).
  void Send(uint64_t now_ms, Message message, std::optional<SimSnapshot> snapshot = std::nullopt);
  struct Delivery {
    Message message;
    std::optional<SimSnapshot> snapshot;  // set for a kSnapshot
  };
  // The next message due at or before `now_ms`, if any.
  std::optional<Delivery> PopDue(uint64_t now_ms);
  // The kSnapshot messages lost since the last call.
  std::vector<Message> TakeLostSnapshots();
  std::optional<uint64_t> NextDeliveryMs() const;
  uint64_t delivered() const { return delivered_; }

 private:
  struct InFlight {
    uint64_t deliver_ms;
    uint64_t sequence;
    Message message;
    std::optional<SimSnapshot> snapshot;
    bool operator>(const InFlight& other) const {
      return deliver_ms != other.deliver_ms ? deliver_ms > other.deliver_ms : sequence > other.sequence;
    }
  };
  uint32_t GroupOf(NodeId node) const;
  void Enqueue(uint64_t now_ms, Message message, std::optional<SimSnapshot> snapshot);
  void Lost(const Message& message);

  Prng& prng_;
  NetworkFaults faults_;
  std::map<NodeId, uint32_t> groups_;
  std::set<std::pair<NodeId, NodeId>> one_way_cuts_;
  std::map<NodeId, uint64_t> dead_before_sequence_;
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> queue_;
  std::vector<Message> lost_snapshots_;  // at most kMessagesInFlightMax: drained every step
  uint64_t sequence_ = 0;
  uint64_t delivered_ = 0;
};

}  // namespace raftmq::raft::sim
