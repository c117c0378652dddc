#include "broker/v2/status_codes.h"

#include <utility>

#include "common/assert.h"

namespace raftmq::broker::v2 {

pb::Status MakeStatus(pb::Code code, std::string message) {
  RMQ_ASSERT(code != pb::CODE_UNSPECIFIED);
  pb::Status status;
  status.set_code(code);
  status.set_message(std::move(message));
  return status;
}

pb::Status OkStatus() { return MakeStatus(pb::OK, "OK"); }

namespace {

pb::Code CodeOf(grpc::StatusCode code, pb::Code not_found) {
  switch (code) {
    case grpc::StatusCode::OK:
      return pb::OK;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return pb::BAD_REQUEST;
    case grpc::StatusCode::NOT_FOUND:
      return not_found;
    case grpc::StatusCode::PERMISSION_DENIED:
      return pb::FORBIDDEN;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return pb::TOO_MANY_REQUESTS;
    case grpc::StatusCode::UNAVAILABLE:
      return pb::HA_NOT_AVAILABLE;
    case grpc::StatusCode::ABORTED:
      return pb::MASTER_PERSISTENCE_TIMEOUT;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return pb::PROXY_TIMEOUT;
    case grpc::StatusCode::OUT_OF_RANGE:
      return pb::ILLEGAL_OFFSET;
    case grpc::StatusCode::UNIMPLEMENTED:
      return pb::NOT_IMPLEMENTED;
    default:
      return pb::INTERNAL_SERVER_ERROR;
  }
}

}  // namespace

pb::Status FromGrpc(const grpc::Status& status, pb::Code not_found) {
  RMQ_ASSERT(not_found != pb::CODE_UNSPECIFIED);
  if (status.ok()) return OkStatus();
  return MakeStatus(CodeOf(status.error_code(), not_found), status.error_message());
}

}  // namespace raftmq::broker::v2
