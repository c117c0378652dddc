#include "broker/nameserver_registrar.h"

#include <chrono>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::broker {
namespace {

// A registration that takes longer is abandoned for this round.
constexpr auto kCallDeadline = std::chrono::seconds(3);

nameserver::Role ToNameserverRole(ReplicaRole role) {
  switch (role) {
    case ReplicaRole::kLeader: return nameserver::LEADER;
    case ReplicaRole::kCandidate: return nameserver::CANDIDATE;
    case ReplicaRole::kFollower: return nameserver::FOLLOWER;
  }
  return nameserver::FOLLOWER;
}

}  // namespace

NameserverRegistrar::NameserverRegistrar(const BrokerOptions* options, const Replicator* replicator,
                                         const TopicConfigManager* topics)
    : options_(options), replicator_(replicator), topics_(topics), worker_([this] { return Round(); }) {
  RMQ_ASSERT(options_ != nullptr && replicator_ != nullptr);
  RMQ_ASSERT(topics_ != nullptr);
  for (const std::string& address : options_->nameserver_addresses) {
    stubs_.push_back(nameserver::Nameserver::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
  }
}

NameserverRegistrar::~NameserverRegistrar() { Stop(); }

void NameserverRegistrar::Start() {
  RMQ_ASSERT(!started_);
  if (stubs_.empty()) return;
  started_ = true;
  worker_.Start();
}

void NameserverRegistrar::Nudge() { worker_.Wake(); }

void NameserverRegistrar::Stop() {
  if (stopped_) return;
  stopped_ = true;
  worker_.Stop();
  if (started_) Unregister();
}

void NameserverRegistrar::Unregister() {
  nameserver::UnregisterBrokerRequest request;
  request.set_cluster_name(options_->cluster_name);
  request.set_group_name(options_->broker_group);
  request.set_node_id(options_->node_id);
  for (auto& stub : stubs_) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    nameserver::UnregisterBrokerResponse response;
    (void)stub->UnregisterBroker(&context, request, &response);
  }
}

bool NameserverRegistrar::IsMember() const {
  Result<raft::ConfState> config = replicator_->Configuration();
  return config.ok() && raft::IsMemberOf(*config, options_->node_id);
}

nameserver::RegisterBrokerRequest NameserverRegistrar::BuildRequest() const {
  ReplicaStatus status = replicator_->GetStatus();
  nameserver::RegisterBrokerRequest request;
  request.set_cluster_name(options_->cluster_name);
  request.set_group_name(options_->broker_group);
  request.set_node_id(options_->node_id);
  request.set_node_address(options_->PeerAddress(options_->node_id));
  request.set_role(ToNameserverRole(status.role));
  request.set_term(status.term.value());
  for (const admin::TopicConfig& topic : topics_->List()) {
    nameserver::TopicQueues* queues = request.add_topics();
    queues->set_topic(topic.name());
    queues->set_read_queue_count(static_cast<uint32_t>(topic.read_queue_nums()));
    queues->set_write_queue_count(static_cast<uint32_t>(topic.write_queue_nums()));
    queues->set_perm(static_cast<uint32_t>(topic.perm()));
  }
  return request;
}

size_t NameserverRegistrar::RegisterOnce() {
  const nameserver::RegisterBrokerRequest request = BuildRequest();
  size_t accepted = 0;
  for (size_t i = 0; i < stubs_.size(); ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    nameserver::RegisterBrokerResponse response;
    grpc::Status status = stubs_[i]->RegisterBroker(&context, request, &response);
    if (status.ok()) {
      ++accepted;
    } else {
      spdlog::warn("register with nameserver {} failed: {}", options_->nameserver_addresses[i], status.error_message());
    }
  }
  return accepted;
}

std::optional<std::chrono::milliseconds> NameserverRegistrar::Round() {
  if (IsMember()) {
    RegisterOnce();
    registered_ = true;
  } else if (registered_) {
    spdlog::warn("node {} is not a member of group {} (removed from it): it leaves the nameserver's routes; stop it, "
                 "or add it again with raftmq group add-node",
                 options_->node_id, options_->broker_group);
    Unregister();
    registered_ = false;
  }
  return std::chrono::milliseconds(options_->register_broker_interval_ms);
}

}  // namespace raftmq::broker
