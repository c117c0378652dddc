#include "broker/v2/route_resolver.h"

#include <utility>

namespace raftmq::broker::v2 {
namespace {

struct Call {
  grpc::ClientContext context;
  nameserver::GetRouteInfoByTopicRequest request;
  nameserver::GetRouteInfoByTopicResponse response;
};

}  // namespace

RouteResolver::RouteResolver(const BrokerOptions* options) {
  auto stubs = std::make_shared<Stubs>();
  for (const std::string& address : options->nameserver_addresses) {
    stubs->push_back(nameserver::Nameserver::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
  }
  stubs_ = std::move(stubs);
}

void RouteResolver::Resolve(const std::string& topic, Done done) const {
  Ask(stubs_, 0, topic, grpc::Status(grpc::StatusCode::UNAVAILABLE, "the broker has no nameserver_addresses"),
      std::move(done));
}

void RouteResolver::Ask(std::shared_ptr<const Stubs> stubs, size_t index, std::string topic, grpc::Status last,
                        Done done) {
  if (index >= stubs->size()) return done(last, nameserver::GetRouteInfoByTopicResponse());
  auto call = std::make_shared<Call>();
  call->context.set_deadline(std::chrono::system_clock::now() + kNameserverCallDeadline);
  call->request.set_topic(topic);
  (*stubs)[index]->async()->GetRouteInfoByTopic(
      &call->context, &call->request, &call->response,
      [stubs, index, topic = std::move(topic), call, done = std::move(done)](grpc::Status status) mutable {
        if (status.ok() || status.error_code() == grpc::StatusCode::NOT_FOUND) return done(status, call->response);
        Ask(std::move(stubs), index + 1, std::move(topic),
            grpc::Status(status.error_code(), "nameserver: " + status.error_message()), std::move(done));
      });
}

}  // namespace raftmq::broker::v2
