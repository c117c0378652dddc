#include "broker/message_proposer.h"

#include <utility>

#include "broker/broker_state_machine.h"
#include "common/assert.h"

namespace raftmq::broker {

void ProposeMessages(Replicator* replicator, std::span<const storage::Message> messages, ProposeMessagesDone done) {
  RMQ_ASSERT(replicator != nullptr);
  RMQ_ASSERT(!messages.empty());
  auto payload = storage::EncodeMessageBatch(messages);
  if (!payload.ok()) return done(payload.status());
  const int count = static_cast<int>(messages.size());
  replicator->Propose(storage::EntryType::kMessageBatch, std::move(payload).value(),
                      [count, done = std::move(done)](Result<std::string> applied) {
                        if (!applied.ok()) return done(applied.status());
                        auto result = BrokerStateMachine::DecodeResult(*applied);
                        if (!result.ok()) return done(result.status());
                        if (result->queue_offsets_size() != count) {
                          return done(Status::Corruption("the applied batch answered " +
                                                         std::to_string(result->queue_offsets_size()) +
                                                         " queue offsets for " + std::to_string(count) + " messages"));
                        }
                        done(std::vector<int64_t>(result->queue_offsets().begin(), result->queue_offsets().end()));
                      });
}

}  // namespace raftmq::broker
