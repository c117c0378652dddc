// Power loss of one node: kill -9, then raftmq-lazyfs drops every write the node had not
// fsynced (CommitLog, ConsumeQueues and RocksDB alike) and the node's boot-id file gets a new
// id, so the broker knows on restart that its unsynced tail may be gone. The heal restarts it.
#include "chaos/nemesis.h"

namespace raftmq::chaos {
namespace {

class PowerLossNemesis final : public Nemesis {
 public:
  Result<std::string> Inject(NemesisContext& context, int group) override {
    node_ = ChooseLeaderOrRandom(context, group);
    RMQ_RETURN_IF_ERROR(context.topology->KillBroker(node_));
    RMQ_RETURN_IF_ERROR(context.topology->CutPower(node_));
    return NodeNames(*context.topology, {node_});
  }

  Status Heal(NemesisContext& context) override { return context.topology->StartBroker(node_); }

 private:
  size_t node_ = 0;
};

}  // namespace

std::unique_ptr<Nemesis> MakePowerLossNemesis() { return std::make_unique<PowerLossNemesis>(); }

}  // namespace raftmq::chaos
