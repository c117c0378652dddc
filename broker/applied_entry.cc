#include "broker/applied_entry.h"

#include <utility>

#include "common/assert.h"

namespace raftmq::broker {

AppliedEntry FromApplyValue(std::any value) {
  auto* applied = std::any_cast<AppliedEntry>(&value);
  // Only BrokerStateMachine applies a broker's entries, and it always answers an AppliedEntry.
  RMQ_ASSERT(applied != nullptr);
  return std::move(*applied);
}

Status ProposalStatus(const Result<AppliedEntry>& applied) {
  if (!applied.ok()) return applied.status();
  if (!applied->status.ok()) return Status::InvalidArgument(applied->status.error_message());
  return Status::Ok();
}

}  // namespace raftmq::broker
