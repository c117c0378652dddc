#include "broker/message_proposer.h"

#include <utility>

#include "broker/entry_kind.h"
#include "common/assert.h"

namespace raftmq::broker {

void ProposeMessages(Replicator* replicator, std::span<const storage::Message> messages, ProposeMessagesDone done) {
  RMQ_ASSERT(replicator != nullptr);
  RMQ_ASSERT(!messages.empty());
  auto payload = storage::EncodeMessageBatch(messages);
  if (!payload.ok()) return done(payload.status());
  const size_t count = messages.size();
  replicator->Propose(kMessageBatchEntry, std::move(payload).value(),
                      [count, done = std::move(done)](Result<AppliedEntry> applied) {
                        // Skipped at apply after passing the checks before proposing: a bug.
                        if (Status status = ProposalStatus(applied); !status.ok()) return done(std::move(status));
                        RMQ_ASSERT(applied->queue_offsets.size() == count);
                        done(std::move(applied->queue_offsets));
                      });
}

}  // namespace raftmq::broker
