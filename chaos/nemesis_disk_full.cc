// Disk full on one node: its data file system (a small tmpfs) is filled to the last byte by a
// filler file beside the data; the heal deletes the filler. The broker sees ENOSPC on its
// next write, whatever file it is (CommitLog, ConsumeQueue, RocksDB).
#include "chaos/nemesis.h"

namespace raftmq::chaos {
namespace {

class DiskFullNemesis final : public Nemesis {
 public:
  Result<std::string> Inject(NemesisContext& context, int group) override {
    node_ = ChooseLeaderOrRandom(context, group);
    RMQ_RETURN_IF_ERROR(context.topology->FillDisk(node_));
    return NodeNames(*context.topology, {node_});
  }

  Status Heal(NemesisContext& context) override { return context.topology->FreeDisk(node_); }

 private:
  size_t node_ = 0;
};

}  // namespace

std::unique_ptr<Nemesis> MakeDiskFullNemesis() { return std::make_unique<DiskFullNemesis>(); }

}  // namespace raftmq::chaos
