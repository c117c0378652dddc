#include "client/grpc_status.h"

#include <charconv>

namespace raftmq::client {

Status FromGrpc(const grpc::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  const std::string message = std::string(what) + ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Status::InvalidArgument(message);
    case grpc::StatusCode::PERMISSION_DENIED:
      return Status::PermissionDenied(message);
    case grpc::StatusCode::ALREADY_EXISTS:
      return Status::AlreadyExists(message);
    case grpc::StatusCode::OUT_OF_RANGE:
      return Status::OutOfRange(message);
    case grpc::StatusCode::NOT_FOUND:
      return Status::NotFound(message);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status::ResourceExhausted(message);
    case grpc::StatusCode::UNAVAILABLE:
      return Status::Unavailable(message);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::DeadlineExceeded(std::string(what) + ": no answer before the deadline");
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
      return Status::Aborted(message);
    case grpc::StatusCode::UNIMPLEMENTED:
      return Status::NotSupported(message);
    default:
      return Status::IoError(message);
  }
}

Status FromBrokerGrpc(const grpc::Status& status, const grpc::ClientContext& context, std::string_view what) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return FromGrpc(status, what);
  if (context.GetServerTrailingMetadata().count(kRefusedKey) > 0) return FromGrpc(status, what);
  // gRPC's words when no connection could be made: the request never left this process. Should
  // they change, a refused connection is taken as unknown too: safe, only more pessimistic.
  if (status.error_message().starts_with("failed to connect to all addresses")) return FromGrpc(status, what);
  return Status::DeadlineExceeded(std::string(what) + ": connection lost before an answer, outcome unknown (" +
                                  status.error_message() + ")");
}

std::string LeaderHint(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kLeaderAddressKey);
  if (it == trailers.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

Trailers CopyTrailers(const grpc::ClientContext& context) {
  Trailers copy;
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    copy.emplace(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }
  return copy;
}

std::optional<int64_t> TrailerInt64(const Trailers& trailers, std::string_view key) {
  auto it = trailers.find(key);
  if (it == trailers.end()) return std::nullopt;
  int64_t value = 0;
  const char* end = it->second.data() + it->second.size();
  auto [ptr, error] = std::from_chars(it->second.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::unique_ptr<grpc::ClientContext> NewContext(int64_t timeout_ms) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  return context;
}

bool IsOutcomeUnknown(const Status& status) { return status.IsAborted() || status.IsDeadlineExceeded(); }

bool IsRetriable(const Status& status) {
  return IsNodeUnanswering(status) || status.IsIoError() || status.IsResourceExhausted() || status.IsAborted();
}

bool IsNodeUnanswering(const Status& status) { return status.IsUnavailable() || status.IsDeadlineExceeded(); }

}  // namespace raftmq::client
