// Network partitions inside one group, made of one-way cuts ("node A drops every packet from
// node B", iptables in A's namespace); clients and the nameserver still reach every node, as
// in Jepsen. The heal flushes every rule.
//   leader   the leader is cut from every other node, both ways
//   halves   a random split into two halves (the smaller is a minority)
//   ring     majorities ring: each node hears a majority (itself and its nearest neighbours in
//            a random ring), no two the same majority; with 3 nodes node i hears only i-1, a
//            one-way cycle in which no two nodes talk both ways: no leader can commit until
//            the heal (the report counts it apart, Topology::MajorityConnected)
//   bridge   two sides that cannot talk, and one node that hears both
//   oneway   one node can send but receives nothing from the others
#include "chaos/nemesis.h"

#include <algorithm>

namespace raftmq::chaos {
namespace {

class PartitionNemesis final : public Nemesis {
 public:
  explicit PartitionNemesis(std::string mode) : mode_(std::move(mode)) {}

  Result<std::string> Inject(NemesisContext& context, int group) override {
    Topology& topology = *context.topology;
    std::vector<size_t> members = topology.GroupNodes(group);
    std::shuffle(members.begin(), members.end(), *context.rng);
    const size_t n = members.size();
    if (mode_ == "leader" || mode_ == "oneway") {
      const size_t node = mode_ == "leader" ? ChooseLeader(context, group) : members.front();
      for (size_t other : topology.GroupNodes(group)) {
        if (other == node) continue;
        RMQ_RETURN_IF_ERROR(topology.DropTraffic(node, other));
        if (mode_ == "leader") RMQ_RETURN_IF_ERROR(topology.DropTraffic(other, node));
      }
      return NodeNames(topology, {node}) + (mode_ == "leader" ? " isolated" : " hears nothing");
    }
    if (mode_ == "ring") return Ring(topology, members);
    // halves and bridge: side A = [0, n/2), side B = the rest (bridge: but the middle node).
    const size_t a_end = n / 2;
    const size_t b_begin = mode_ == "bridge" ? a_end + 1 : a_end;
    std::vector<size_t> side_a(members.begin(), members.begin() + static_cast<long>(a_end));
    std::vector<size_t> side_b(members.begin() + static_cast<long>(b_begin), members.end());
    for (size_t a : side_a) {
      for (size_t b : side_b) {
        RMQ_RETURN_IF_ERROR(topology.DropTraffic(a, b));
        RMQ_RETURN_IF_ERROR(topology.DropTraffic(b, a));
      }
    }
    std::string target = NodeNames(topology, side_a) + " | " + NodeNames(topology, side_b);
    if (mode_ == "bridge") target += " (bridge " + NodeNames(topology, {members[a_end]}) + ")";
    return target;
  }

  Status Heal(NemesisContext& context) override { return context.topology->HealNetwork(); }

 private:
  Result<std::string> Ring(Topology& topology, const std::vector<size_t>& ring) {
    const size_t n = ring.size();
    const size_t heard = n / 2;  // besides itself: a majority in all
    for (size_t i = 0; i < n; ++i) {
      std::vector<size_t> hears;
      for (size_t distance = 1; hears.size() < heard; ++distance) {
        hears.push_back(ring[(i + n - distance) % n]);
        if (hears.size() < heard) hears.push_back(ring[(i + distance) % n]);
      }
      for (size_t j = 0; j < n; ++j) {
        if (j == i || std::find(hears.begin(), hears.end(), ring[j]) != hears.end()) continue;
        RMQ_RETURN_IF_ERROR(topology.DropTraffic(ring[i], ring[j]));
      }
    }
    return "ring " + NodeNames(topology, ring);
  }

  const std::string mode_;
};

}  // namespace

std::unique_ptr<Nemesis> MakePartitionNemesis(const std::string& mode) {
  if (mode != "leader" && mode != "halves" && mode != "ring" && mode != "bridge" && mode != "oneway") return nullptr;
  return std::make_unique<PartitionNemesis>(mode);
}

}  // namespace raftmq::chaos
