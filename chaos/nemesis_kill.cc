// kill -9 of the leader, of a random node or of a minority of the group; the heal restarts
// them on the same data (a process crash: the page cache, and so every write, survives).
#include "chaos/nemesis.h"

namespace raftmq::chaos {
namespace {

class KillNemesis final : public Nemesis {
 public:
  explicit KillNemesis(std::string mode) : mode_(std::move(mode)) {}

  Result<std::string> Inject(NemesisContext& context, int group) override {
    const size_t group_size = context.topology->GroupNodes(group).size();
    if (mode_ == "leader") {
      killed_ = {ChooseLeader(context, group)};
    } else if (mode_ == "random") {
      killed_ = {ChooseRandomRunning(context, group)};
    } else {
      killed_ = ChooseDistinct(context, group, (group_size - 1) / 2);
    }
    for (size_t node : killed_) RMQ_RETURN_IF_ERROR(context.topology->KillBroker(node));
    return NodeNames(*context.topology, killed_);
  }

  Status Heal(NemesisContext& context) override {
    Status first;
    for (size_t node : killed_) {
      Status started = context.topology->StartBroker(node);
      if (!started.ok() && first.ok()) first = started;
    }
    return first;
  }

 private:
  const std::string mode_;
  std::vector<size_t> killed_;
};

}  // namespace

std::unique_ptr<Nemesis> MakeKillNemesis(const std::string& mode) {
  if (mode != "leader" && mode != "random" && mode != "minority") return nullptr;
  return std::make_unique<KillNemesis>(mode);
}

}  // namespace raftmq::chaos
