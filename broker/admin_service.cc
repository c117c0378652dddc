#include "broker/admin_service.h"

#include <algorithm>
#include <utility>

#include "broker/entry_kind.h"
#include "broker/log_digest.h"
#include "broker/names.h"
#include "broker/topic_config_manager.h"

namespace raftmq::broker {
namespace {

admin::Role ToProtoRole(ReplicaRole role) {
  switch (role) {
    case ReplicaRole::kLeader: return admin::LEADER;
    case ReplicaRole::kCandidate: return admin::CANDIDATE;
    case ReplicaRole::kFollower: return admin::FOLLOWER;
  }
  return admin::FOLLOWER;
}

}  // namespace

AdminService::AdminService(const ServiceContext* context)
    : context_(context), gate_(context->options, context->replicator, context->machine) {}

grpc::ServerUnaryReactor* AdminService::ProposeTopicCommand(grpc::CallbackServerContext* call, grpc::Status checked,
                                                            const BrokerCommand& command,
                                                            admin::TopicResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  if (checked.ok()) checked = gate_.Check(call);
  if (!checked.ok()) {
    reactor->Finish(checked);
    return reactor;
  }
  context_->replicator->Propose(
      kBrokerCommandEntry, command.SerializeAsString(),
      [this, call, reactor, response](Result<AppliedEntry> applied) {
        if (!applied.ok()) return reactor->Finish(gate_.FromProposeError(applied.status(), call));
        if (!applied->status.ok()) return reactor->Finish(applied->status);
        FillQueues(applied->topic, response);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::CreateTopic(grpc::CallbackServerContext* call,
                                                    const admin::CreateTopicRequest* request,
                                                    admin::TopicResponse* response) {
  grpc::Status checked = TopicConfigManager::CheckConfig(request->topic(), *context_->options);
  if (checked.ok()) checked = CheckUserTopic(request->topic().name());
  if (checked.ok() && context_->topics->Count() >= context_->options->topics_max) {
    checked = {grpc::StatusCode::RESOURCE_EXHAUSTED,
               "topics_max = " + std::to_string(context_->options->topics_max) + " topics exist"};
  }
  BrokerCommand command;
  *command.mutable_create_topic()->mutable_topic() = request->topic();
  return ProposeTopicCommand(call, checked, command, response);
}

grpc::ServerUnaryReactor* AdminService::UpdateTopic(grpc::CallbackServerContext* call,
                                                    const admin::UpdateTopicRequest* request,
                                                    admin::TopicResponse* response) {
  grpc::Status checked = TopicConfigManager::CheckConfig(request->topic(), *context_->options);
  if (checked.ok()) checked = CheckUserTopic(request->topic().name());
  BrokerCommand command;
  *command.mutable_update_topic()->mutable_topic() = request->topic();
  return ProposeTopicCommand(call, checked, command, response);
}

grpc::ServerUnaryReactor* AdminService::DeleteTopic(grpc::CallbackServerContext* call,
                                                    const admin::DeleteTopicRequest* request,
                                                    admin::TopicResponse* response) {
  grpc::Status checked = CheckName("topic", request->name());
  if (checked.ok()) checked = CheckUserTopic(request->name());
  BrokerCommand command;
  command.mutable_delete_topic()->set_name(request->name());
  return ProposeTopicCommand(call, checked, command, response);
}

grpc::ServerUnaryReactor* AdminService::DescribeTopic(grpc::CallbackServerContext* call,
                                                      const admin::DescribeTopicRequest* request,
                                                      admin::TopicResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = CheckName("topic", request->name());
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  // Reads of replicated state come from a confirmed leader that applied its whole log.
  gate_.FinishRead(call, reactor, [this, request, response]() -> grpc::Status {
    auto topic = context_->topics->Find(request->name());
    if (!topic) return {grpc::StatusCode::NOT_FOUND, "topic '" + request->name() + "' does not exist"};
    FillQueues(*topic, response);
    return grpc::Status::OK;
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListTopics(grpc::CallbackServerContext* call,
                                                   const admin::ListTopicsRequest* /*request*/,
                                                   admin::ListTopicsResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  gate_.FinishRead(call, reactor, [this, response] {
    for (admin::TopicConfig& topic : context_->topics->List()) *response->add_topics() = std::move(topic);
    return grpc::Status::OK;
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::NodeStatus(grpc::CallbackServerContext* call,
                                                   const admin::NodeStatusRequest* /*request*/,
                                                   admin::NodeStatusResponse* response) {
  const BrokerOptions& options = *context_->options;
  ReplicaStatus status = context_->replicator->GetStatus();
  response->set_cluster_name(options.cluster_name);
  response->set_group_name(options.broker_group);
  response->set_node_id(options.node_id);
  response->set_address(options.PeerAddress(options.node_id));
  response->set_role(ToProtoRole(status.role));
  response->set_term(status.term.value());
  response->set_leader_id(status.leader);
  response->set_leader_address(gate_.LeaderAddress());
  response->set_commit_index(status.commit.value());
  response->set_applied_index(context_->machine->applied_index().value());
  response->set_first_index(status.first.value());
  response->set_last_index(status.last.value());
  response->set_recovering(status.recovering);
  for (const ReplicaPeer& peer : context_->replicator->PeerProgress()) {
    admin::PeerStatus* out = response->add_peers();
    out->set_node_id(peer.id);
    out->set_address(context_->replicator->MemberAddress(peer.id));
    out->set_match_index(peer.match.value());
    out->set_recent_active(peer.recent_active);
  }
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::TransferLeadership(grpc::CallbackServerContext* call,
                                                           const admin::TransferLeadershipRequest* request,
                                                           admin::TransferLeadershipResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = gate_.Check(call);
  if (status.ok()) {
    Status transfer = context_->replicator->TransferLeadership(request->to_node_id());
    if (!transfer.ok()) {
      status = transfer.IsInvalidArgument()
                   ? grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, transfer.ToString())
                   : (transfer.IsAborted() ? grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, transfer.ToString())
                                           : gate_.FromProposeError(transfer, call));
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::GroupOffsets(grpc::CallbackServerContext* call,
                                                     const admin::GroupOffsetsRequest* request,
                                                     admin::GroupOffsetsResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = CheckName("consumer group", request->consumer_group());
  if (status.ok() && !request->topic().empty()) status = CheckName("topic", request->topic());
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  gate_.FinishRead(call, reactor, [this, request, response] { return FillLag(*request, response); });
  return reactor;
}

grpc::Status AdminService::FillLag(const admin::GroupOffsetsRequest& request, admin::GroupOffsetsResponse* response) const {
  auto committed = context_->offsets->List(request.consumer_group());
  if (!committed.ok()) return {grpc::StatusCode::INTERNAL, committed.status().ToString()};
  std::map<std::pair<std::string, int32_t>, int64_t> rows;  // (topic, queue) -> offset, -1 = none
  if (!request.topic().empty()) {
    auto topic = context_->topics->Find(request.topic());
    if (!topic) return {grpc::StatusCode::NOT_FOUND, "topic '" + request.topic() + "' does not exist"};
    for (int32_t queue = 0; queue < topic->read_queue_nums(); ++queue) rows[{request.topic(), queue}] = -1;
  }
  for (const storage::ConsumerOffset& offset : committed.value()) {
    if (!request.topic().empty() && offset.topic != request.topic()) continue;
    rows[{offset.topic, static_cast<int32_t>(offset.queue_id)}] = static_cast<int64_t>(offset.offset);
  }
  for (const auto& [key, offset] : rows) {
    admin::QueueLag* lag = response->add_queues();
    const auto max = static_cast<int64_t>(MaxOffset(key.first, key.second));
    lag->set_topic(key.first);
    lag->set_queue_id(key.second);
    lag->set_broker_max_offset(max);
    lag->set_consumer_offset(offset);
    lag->set_lag(std::max<int64_t>(0, max - std::max<int64_t>(offset, 0)));
  }
  return grpc::Status::OK;
}

void AdminService::FillQueues(const admin::TopicConfig& topic, admin::TopicResponse* response) const {
  *response->mutable_topic() = topic;
  const int32_t queues = std::max(topic.read_queue_nums(), topic.write_queue_nums());
  for (int32_t queue_id = 0; queue_id < queues; ++queue_id) {
    const storage::ConsumeQueue* queue = context_->queues->Find(topic.name(), static_cast<uint32_t>(queue_id));
    admin::QueueStatus* status = response->add_queues();
    status->set_queue_id(queue_id);
    status->set_min_offset(queue ? static_cast<int64_t>(queue->MinOffset()) : 0);
    status->set_max_offset(queue ? static_cast<int64_t>(queue->MaxOffset()) : 0);
  }
}

uint64_t AdminService::MaxOffset(const std::string& topic, int32_t queue_id) const {
  const storage::ConsumeQueue* queue = context_->queues->Find(topic, static_cast<uint32_t>(queue_id));
  return queue ? queue->MaxOffset() : 0;
}

grpc::ServerUnaryReactor* AdminService::LogDigest(grpc::CallbackServerContext* call,
                                                  const admin::LogDigestRequest* request,
                                                  admin::LogDigestResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(FillLogDigest(*context_, *request, response));
  return reactor;
}

}  // namespace raftmq::broker
