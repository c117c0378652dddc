#include "broker/topic_creator.h"

#include <utility>

#include "broker/entry_kind.h"
#include "broker/names.h"
#include "common/assert.h"
#include "proto/broker_command.pb.h"

namespace raftmq::broker {

TopicCreator::TopicCreator(const ServiceContext* context, const LeaderGate* gate) : context_(context), gate_(gate) {
  RMQ_ASSERT(context_ != nullptr);
  RMQ_ASSERT(gate_ != nullptr);
}

void TopicCreator::Ensure(grpc::CallbackServerContext* call, const std::string& name, bool create, int32_t queue_nums,
                          Done done) const {
  if (auto topic = context_->topics->Find(name)) return done(grpc::Status::OK, std::move(*topic));
  if (!create) return done({grpc::StatusCode::NOT_FOUND, "topic '" + name + "' does not exist"}, {});
  // Derived names (%RETRY%<group>, %DLQ%<group>) are checked here too: what is proposed must apply.
  if (grpc::Status name_status = CheckName("topic", name); !name_status.ok()) return done(name_status, {});
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
      kBrokerCommandEntry, command.SerializeAsString(),
      [this, call, done = std::move(done)](Result<AppliedEntry> applied) {
        if (!applied.ok()) return done(gate_->FromProposeError(applied.status(), call), {});
        done(applied->status, std::move(applied->topic));
      });
}

}  // namespace raftmq::broker
