#include "broker/replicator.h"

#include <future>
#include <memory>

#include "common/assert.h"

namespace raftmq::broker {

Status ProposeAndWait(Replicator* replicator, storage::EntryKind kind, std::string payload,
                      std::chrono::milliseconds wait_max) {
  RMQ_ASSERT(replicator != nullptr);
  auto outcome = std::make_shared<std::promise<Status>>();
  std::future<Status> future = outcome->get_future();
  replicator->Propose(kind, std::move(payload),
                      [outcome](Result<AppliedEntry> applied) { outcome->set_value(ProposalStatus(applied)); });
  if (future.wait_for(wait_max) != std::future_status::ready) {
    return Status::Unavailable("a proposal was not applied within " + std::to_string(wait_max.count()) + " ms");
  }
  return future.get();
}

}  // namespace raftmq::broker
