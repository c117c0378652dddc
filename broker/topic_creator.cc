#include "broker/topic_creator.h"

#include <utility>

#include "broker/broker_state_machine.h"
#include "common/assert.h"

namespace raftmq::broker {

TopicCreator::TopicCreator(const ServiceContext* context, const LeaderGate* gate) : context_(context), gate_(gate) {
  RMQ_ASSERT(context_ != nullptr);
  RMQ_ASSERT(gate_ != nullptr);
}

void TopicCreator::Ensure(grpc::CallbackServerContext* call, const std::string& name, bool create, int32_t queue_nums,
                          Done done) const {
  if (auto topic = context_->topics->Find(name)) return done(grpc::Status::OK, std::move(*topic));
  if (!create) return done({grpc::StatusCode::NOT_FOUND, "topic '" + name + "' does not exist"}, {});
  if (context_->topics->Count() >= context_->options->topics_max) {
    return done({grpc::StatusCode::RESOURCE_EXHAUSTED,
                 "topics_max = " + std::to_string(context_->options->topics_max) + " topics exist"},
                {});
  }
  BrokerCommand command;
  admin::TopicConfig* topic = command.mutable_create_topic()->mutable_topic();
  topic->set_name(name);
  topic->set_read_queue_nums(queue_nums);
  topic->set_write_queue_nums(queue_nums);
  topic->set_perm(kPermReadWrite);
  command.mutable_create_topic()->set_if_absent(true);
  context_->replicator->Propose(
      storage::EntryType::kBrokerCommand, command.SerializeAsString(),
      [this, call, done = std::move(done)](Result<std::string> applied) {
        if (!applied.ok()) return done(gate_->FromProposeError(applied.status(), call), {});
        auto result = BrokerStateMachine::DecodeResult(*applied);
        if (!result.ok()) return done({grpc::StatusCode::INTERNAL, result.status().ToString()}, {});
        done({static_cast<grpc::StatusCode>(result->code()), result->message()}, result->topic());
      });
}

}  // namespace raftmq::broker
