// The Status of RocketMQ 5 replies (apache.rocketmq.v2.Status): every reply carries one and
// its code is never CODE_UNSPECIFIED (OK is 20000). The broker's shared internals answer
// gRPC statuses (send_validator.h, LeaderGate); FromGrpc says which v2 code each becomes.
//
// Threading: pure functions.
#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "proto/apache/rocketmq/v2/definition.pb.h"

namespace raftmq::broker::v2 {

namespace pb = ::apache::rocketmq::v2;

pb::Status MakeStatus(pb::Code code, std::string message);
pb::Status OkStatus();

// INVALID_ARGUMENT -> BAD_REQUEST, NOT_FOUND -> `not_found` (TOPIC_NOT_FOUND for a send),
// PERMISSION_DENIED -> FORBIDDEN, RESOURCE_EXHAUSTED -> TOO_MANY_REQUESTS (clients back
// off), UNAVAILABLE (not the leader, or not ready: not stored) -> HA_NOT_AVAILABLE,
// ABORTED (the entry may still commit: outcome unknown) -> MASTER_PERSISTENCE_TIMEOUT,
// DEADLINE_EXCEEDED -> PROXY_TIMEOUT, OUT_OF_RANGE -> ILLEGAL_OFFSET, UNIMPLEMENTED ->
// NOT_IMPLEMENTED, anything else INTERNAL_SERVER_ERROR. The message is kept.
pb::Status FromGrpc(const grpc::Status& status, pb::Code not_found = pb::NOT_FOUND);

}  // namespace raftmq::broker::v2
