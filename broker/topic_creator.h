// TopicCreator: finds a topic, creating it through Raft when allowed — user topics under
// auto_create_topic_enable, and the retry, dead-letter and schedule topics the broker derives.
// Creation proposes CreateTopicCommand{if_absent: true}, so racing creators agree on one
// config (the first applied).
//
// Threading: from any thread; `done` runs on the caller's thread or the apply thread.
#pragma once

#include <functional>
#include <string>

#include <grpcpp/server_context.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "proto/admin.pb.h"

namespace raftmq::broker {

class TopicCreator {
 public:
  using Done = std::function<void(grpc::Status status, admin::TopicConfig topic)>;

  TopicCreator(const ServiceContext* context, const LeaderGate* gate);

  // The topic `name`. When missing: NOT_FOUND unless `create`, then it is created with
  // `queue_nums` read and write queues and perm read|write. `call` receives a leader hint
  // when the proposal is refused.
  void Ensure(grpc::CallbackServerContext* call, const std::string& name, bool create, int32_t queue_nums,
              Done done) const;

 private:
  const ServiceContext* const context_;
  const LeaderGate* const gate_;
};

}  // namespace raftmq::broker
