#include "chaos/nemesis.h"

#include <algorithm>

namespace raftmq::chaos {

std::unique_ptr<Nemesis> MakeNemesis(const std::string& kind) {
  const size_t dash = kind.find('-');
  const std::string family = kind.substr(0, dash);
  const std::string mode = dash == std::string::npos ? "" : kind.substr(dash + 1);
  if (family == "kill") return MakeKillNemesis(mode);
  if (family == "pause") return MakePauseNemesis(mode);
  if (family == "partition") return MakePartitionNemesis(mode);
  if (kind == "disk-full") return MakeDiskFullNemesis();
  if (kind == "power-loss") return MakePowerLossNemesis();
  return nullptr;
}

size_t ChooseRandomRunning(NemesisContext& context, int group) {
  std::vector<size_t> members = context.topology->GroupNodes(group);
  std::vector<size_t> running;
  for (size_t node : members) {
    if (context.topology->BrokerRunning(node)) running.push_back(node);
  }
  const std::vector<size_t>& pool = running.empty() ? members : running;
  return pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(*context.rng)];
}

size_t ChooseLeader(NemesisContext& context, int group) {
  const int leader = context.leaders->Leader(group);
  if (leader >= 0) return static_cast<size_t>(leader);
  return ChooseRandomRunning(context, group);
}

size_t ChooseLeaderOrRandom(NemesisContext& context, int group) {
  std::bernoulli_distribution pick_leader(0.5);
  return pick_leader(*context.rng) ? ChooseLeader(context, group) : ChooseRandomRunning(context, group);
}

std::vector<size_t> ChooseDistinct(NemesisContext& context, int group, size_t count) {
  std::vector<size_t> members = context.topology->GroupNodes(group);
  std::shuffle(members.begin(), members.end(), *context.rng);
  members.resize(std::min(count, members.size()));
  std::sort(members.begin(), members.end());
  return members;
}

std::string NodeNames(const Topology& topology, const std::vector<size_t>& nodes) {
  std::string names;
  for (size_t node : nodes) names += (names.empty() ? "" : " ") + topology.nodes()[node].name;
  return names;
}

}  // namespace raftmq::chaos
