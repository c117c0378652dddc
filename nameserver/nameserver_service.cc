#include "nameserver/nameserver_service.h"

namespace raftmq::nameserver {

grpc::Status ToGrpcStatus(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return grpc::Status::OK;
    case Status::Code::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, status.message()};
    case Status::Code::kNotFound: return {grpc::StatusCode::NOT_FOUND, status.message()};
    case Status::Code::kResourceExhausted: return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.message()};
    case Status::Code::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, status.message()};
    default: return {grpc::StatusCode::INTERNAL, status.ToString()};
  }
}

grpc::Status NameserverService::RegisterBroker(grpc::ServerContext*, const RegisterBrokerRequest* request,
                                               RegisterBrokerResponse* response) {
  Status status = table_->Register(*request);
  if (status.ok()) response->set_broker_expiry_ms(static_cast<uint64_t>(table_->config().broker_expiry_ms));
  return ToGrpcStatus(status);
}

grpc::Status NameserverService::UnregisterBroker(grpc::ServerContext*, const UnregisterBrokerRequest* request,
                                                 UnregisterBrokerResponse* response) {
  Result<bool> was_registered = table_->Unregister(*request);
  if (!was_registered.ok()) return ToGrpcStatus(was_registered.status());
  response->set_was_registered(*was_registered);
  return grpc::Status::OK;
}

grpc::Status NameserverService::GetRouteInfoByTopic(grpc::ServerContext*, const GetRouteInfoByTopicRequest* request,
                                                    GetRouteInfoByTopicResponse* response) {
  Result<GetRouteInfoByTopicResponse> route = table_->GetRouteInfoByTopic(request->topic());
  if (!route.ok()) return ToGrpcStatus(route.status());
  *response = std::move(route).value();
  return grpc::Status::OK;
}

grpc::Status NameserverService::GetClusterInfo(grpc::ServerContext*, const GetClusterInfoRequest*,
                                               GetClusterInfoResponse* response) {
  *response = table_->GetClusterInfo();
  return grpc::Status::OK;
}

}  // namespace raftmq::nameserver
