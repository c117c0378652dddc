// SIGSTOP of the leader or of a random node, SIGCONT on heal: a node that is alive, whose
// sockets accept, and that answers nothing (a GC pause, a stalled VM).
#include "chaos/nemesis.h"

namespace raftmq::chaos {
namespace {

class PauseNemesis final : public Nemesis {
 public:
  explicit PauseNemesis(std::string mode) : mode_(std::move(mode)) {}

  Result<std::string> Inject(NemesisContext& context, int group) override {
    paused_ = mode_ == "leader" ? ChooseLeader(context, group) : ChooseRandomRunning(context, group);
    RMQ_RETURN_IF_ERROR(context.topology->PauseBroker(paused_));
    return NodeNames(*context.topology, {paused_});
  }

  Status Heal(NemesisContext& context) override { return context.topology->ResumeBroker(paused_); }

 private:
  const std::string mode_;
  size_t paused_ = 0;
};

}  // namespace

std::unique_ptr<Nemesis> MakePauseNemesis(const std::string& mode) {
  if (mode != "leader" && mode != "random") return nullptr;
  return std::make_unique<PauseNemesis>(mode);
}

}  // namespace raftmq::chaos
