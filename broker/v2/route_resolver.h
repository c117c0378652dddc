// RouteResolver: a topic's route from the nameservers (GetRouteInfoByTopic), for QueryRoute.
// The broker knows only its own group; the nameservers know every group serving the topic
// and who leads each. Asks them in the order of nameserver_addresses: the first that answers
// (OK or NOT_FOUND) decides; one that fails or takes longer than kNameserverCallDeadline is
// passed over. At most nameserver_addresses.size() calls, one at a time, off any thread.
//
// Threading: Resolve from any thread; `done` runs once, on a gRPC callback thread (or the
// caller's when there is no nameserver).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "broker/broker_options.h"
#include "proto/nameserver.grpc.pb.h"

namespace raftmq::broker::v2 {

// As the registrar's: a nameserver is a small in-memory table, so one that has not answered
// in 3 s is down or cut off.
inline constexpr std::chrono::seconds kNameserverCallDeadline{3};

class RouteResolver {
 public:
  using Done = std::function<void(grpc::Status status, const nameserver::GetRouteInfoByTopicResponse& route)>;

  explicit RouteResolver(const BrokerOptions* options);

  void Resolve(const std::string& topic, Done done) const;

 private:
  using Stubs = std::vector<std::unique_ptr<nameserver::Nameserver::Stub>>;
  static void Ask(std::shared_ptr<const Stubs> stubs, size_t index, std::string topic, grpc::Status last, Done done);

  std::shared_ptr<const Stubs> stubs_;  // shared with calls in flight
};

}  // namespace raftmq::broker::v2
