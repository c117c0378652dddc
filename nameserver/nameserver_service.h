// NameserverService: the gRPC face of a RouteTable. Translates Status codes to gRPC codes
// (InvalidArgument → INVALID_ARGUMENT, NotFound → NOT_FOUND, ResourceExhausted →
// RESOURCE_EXHAUSTED) and keeps no state of its own.
//
// Thread-safety: gRPC calls the handlers from its thread pool; the RouteTable is thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include "common/status.h"
#include "nameserver/route_table.h"
#include "proto/nameserver.grpc.pb.h"

namespace raftmq::nameserver {

grpc::Status ToGrpcStatus(const Status& status);

class NameserverService final : public Nameserver::Service {
 public:
  // `table` must outlive the service.
  explicit NameserverService(RouteTable* table) : table_(table) {}

  grpc::Status RegisterBroker(grpc::ServerContext* context, const RegisterBrokerRequest* request,
                              RegisterBrokerResponse* response) override;
  grpc::Status UnregisterBroker(grpc::ServerContext* context, const UnregisterBrokerRequest* request,
                                UnregisterBrokerResponse* response) override;
  grpc::Status GetRouteInfoByTopic(grpc::ServerContext* context, const GetRouteInfoByTopicRequest* request,
                                   GetRouteInfoByTopicResponse* response) override;
  grpc::Status GetClusterInfo(grpc::ServerContext* context, const GetClusterInfoRequest* request,
                              GetClusterInfoResponse* response) override;

 private:
  RouteTable* const table_;
};

}  // namespace raftmq::nameserver
