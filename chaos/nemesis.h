// Nemesis: one kind of fault. Inject picks its target in one broker group (the leader, a
// random node, a minority, a split of the group) and breaks it; Heal undoes exactly that.
// Kinds (AllNemeses() in options.h), one file each:
//   kill-leader, kill-random, kill-minority   nemesis_kill.cc        kill -9, restart on heal
//   pause-leader, pause-random                nemesis_pause.cc       SIGSTOP, SIGCONT on heal
//   partition-leader|halves|ring|bridge|oneway nemesis_partition.cc iptables DROP in namespaces
//   disk-full                                 nemesis_disk_full.cc   fill the node's file system
//   power-loss                                nemesis_power_loss.cc  kill -9 + drop unsynced data
//
// Threading: one thread (the schedule) calls Inject then Heal.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chaos/node_probe.h"
#include "chaos/topology.h"
#include "common/result.h"

namespace raftmq::chaos {

struct NemesisContext {
  Topology* topology = nullptr;
  const LeaderWatch* leaders = nullptr;
  std::mt19937_64* rng = nullptr;
};

class Nemesis {
 public:
  virtual ~Nemesis() = default;
  // Breaks something in `group`; returns what (node names), or why it could not.
  virtual Result<std::string> Inject(NemesisContext& context, int group) = 0;
  virtual Status Heal(NemesisContext& context) = 0;
};

// nullptr for an unknown kind.
std::unique_ptr<Nemesis> MakeNemesis(const std::string& kind);

// Target choice, shared by the nemeses: the group's leader as last seen (a random running node
// when it has none), a random running node, `count` distinct random nodes of the group.
size_t ChooseLeader(NemesisContext& context, int group);
size_t ChooseRandomRunning(NemesisContext& context, int group);
// The leader or a random running node, even odds (a leader's fault is the harder case).
size_t ChooseLeaderOrRandom(NemesisContext& context, int group);
std::vector<size_t> ChooseDistinct(NemesisContext& context, int group, size_t count);
std::string NodeNames(const Topology& topology, const std::vector<size_t>& nodes);

std::unique_ptr<Nemesis> MakeKillNemesis(const std::string& mode);
std::unique_ptr<Nemesis> MakePauseNemesis(const std::string& mode);
std::unique_ptr<Nemesis> MakePartitionNemesis(const std::string& mode);
std::unique_ptr<Nemesis> MakeDiskFullNemesis();
std::unique_ptr<Nemesis> MakePowerLossNemesis();

}  // namespace raftmq::chaos
