#include "tests/client/fake_broker.h"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "common/assert.h"
#include "proto/nameserver.grpc.pb.h"

namespace raftmq::client::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool TagMatches(const std::string& expression, const std::string& tag) {
  if (expression.empty() || expression == "*") return true;
  std::stringstream parts(expression);
  std::string part;
  while (std::getline(parts, part, '|')) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty() && part == tag) return true;
  }
  return false;
}

class MessagingAdapter final : public messaging::MessagingService::Service {
 public:
  explicit MessagingAdapter(FakeBroker* broker) : broker_(broker) {}
  grpc::Status SendMessage(grpc::ServerContext* c, const messaging::SendMessageRequest* request,
                           messaging::SendMessageResponse* response) override {
    return broker_->Send(c, *request, response);
  }
  grpc::Status PullMessage(grpc::ServerContext* c, const messaging::PullMessageRequest* request,
                           messaging::PullMessageResponse* response) override {
    return broker_->Pull(c, *request, response);
  }
  grpc::Status CommitOffset(grpc::ServerContext* c, const messaging::CommitOffsetRequest* request,
                            messaging::CommitOffsetResponse*) override {
    return broker_->Commit(c, *request);
  }
  grpc::Status QueryOffset(grpc::ServerContext* c, const messaging::QueryOffsetRequest* request,
                           messaging::QueryOffsetResponse* response) override {
    return broker_->Query(c, *request, response);
  }
  grpc::Status Heartbeat(grpc::ServerContext* c, const messaging::HeartbeatRequest* request,
                         messaging::HeartbeatResponse*) override {
    return broker_->Heartbeat(c, *request);
  }
  grpc::Status GetConsumerList(grpc::ServerContext* c, const messaging::GetConsumerListRequest* request,
                               messaging::GetConsumerListResponse* response) override {
    return broker_->ConsumerList(c, *request, response);
  }
  grpc::Status SendBackMessage(grpc::ServerContext* c, const messaging::SendBackMessageRequest* request,
                               messaging::SendBackMessageResponse*) override {
    return broker_->SendBack(c, *request);
  }

 private:
  FakeBroker* const broker_;
};

class AdminAdapter final : public admin::AdminService::Service {
 public:
  explicit AdminAdapter(FakeBroker* broker) : broker_(broker) {}
  grpc::Status CreateTopic(grpc::ServerContext* c, const admin::CreateTopicRequest* request,
                           admin::TopicResponse* response) override {
    return broker_->Create(c, request->topic(), response);
  }
  grpc::Status DescribeTopic(grpc::ServerContext* c, const admin::DescribeTopicRequest* request,
                             admin::TopicResponse* response) override {
    return broker_->Describe(c, request->name(), response);
  }
  grpc::Status ListTopics(grpc::ServerContext* c, const admin::ListTopicsRequest*,
                          admin::ListTopicsResponse* response) override {
    return broker_->List(c, response);
  }
  grpc::Status NodeStatus(grpc::ServerContext* c, const admin::NodeStatusRequest*,
                          admin::NodeStatusResponse* response) override {
    return broker_->NodeStatus(c, response);
  }
  grpc::Status GroupOffsets(grpc::ServerContext* c, const admin::GroupOffsetsRequest* request,
                            admin::GroupOffsetsResponse* response) override {
    return broker_->Offsets(c, *request, response);
  }

 private:
  FakeBroker* const broker_;
};

}  // namespace

FakeBroker::FakeBroker(FakeBrokerOptions options) : options_(std::move(options)) {
  for (const std::string& topic : options_.topics) topics_[topic] = options_.queues_per_topic;
  messaging_service_ = std::make_unique<MessagingAdapter>(this);
  admin_service_ = std::make_unique<AdminAdapter>(this);
}

Result<std::unique_ptr<FakeBroker>> FakeBroker::Start(FakeBrokerOptions options) {
  std::unique_ptr<FakeBroker> broker(new FakeBroker(std::move(options)));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(broker->messaging_service_.get());
  builder.RegisterService(broker->admin_service_.get());
  broker->server_ = builder.BuildAndStart();
  if (!broker->server_ || port == 0) return Status::Unavailable("fake broker could not bind 127.0.0.1:0");
  broker->address_ = "127.0.0.1:" + std::to_string(port);
  return broker;
}

FakeBroker::~FakeBroker() {
  Resume();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

Status FakeBroker::RegisterWith(const std::string& nameserver_address, uint64_t term) {
  nameserver::RegisterBrokerRequest request;
  request.set_cluster_name(options_.cluster_name);
  request.set_group_name(options_.group_name);
  request.set_node_id(options_.node_id);
  request.set_node_address(address_);
  request.set_role(options_.leader_hint.empty() ? nameserver::LEADER : nameserver::FOLLOWER);
  request.set_term(term);
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, queues] : topics_) {
      nameserver::TopicQueues* topic = request.add_topics();
      topic->set_topic(name);
      topic->set_read_queue_count(static_cast<uint32_t>(queues));
      topic->set_write_queue_count(static_cast<uint32_t>(queues));
      topic->set_perm(nameserver::PERM_READ | nameserver::PERM_WRITE);
    }
  }
  auto stub = nameserver::Nameserver::NewStub(grpc::CreateChannel(nameserver_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  nameserver::RegisterBrokerResponse response;
  grpc::Status status = stub->RegisterBroker(&context, request, &response);
  return status.ok() ? Status::Ok() : Status::Unavailable("RegisterBroker: " + status.error_message());
}

void FakeBroker::Stall() {
  std::lock_guard lock(mutex_);
  stalled_ = true;
}

void FakeBroker::Resume() {
  {
    std::lock_guard lock(mutex_);
    stalled_ = false;
  }
  changed_cv_.notify_all();
}

void FakeBroker::SetSendDelayMs(int64_t delay_ms) {
  std::lock_guard lock(mutex_);
  send_delay_ms_ = delay_ms;
}

bool FakeBroker::PassStall(grpc::ServerContext* context) {
  std::unique_lock lock(mutex_);
  return changed_cv_.wait_until(lock, context->deadline(), [&] { return !stalled_ || context->IsCancelled(); }) &&
         !stalled_;
}

grpc::Status FakeBroker::RefuseWrite(grpc::ServerContext* context) {
  {
    std::lock_guard lock(mutex_);
    ++write_calls_refused_;
  }
  context->AddTrailingMetadata("raftmq-leader-address", options_.leader_hint);
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not the leader");
}

void FakeBroker::AppendLocked(const std::string& topic, int32_t queue_id, messaging::Message message,
                              messaging::SendResult* result) {
  std::vector<messaging::MessageExt>& queue = queues_[{topic, queue_id}];
  messaging::MessageExt ext;
  ext.set_queue_id(queue_id);
  ext.set_queue_offset(static_cast<int64_t>(queue.size()));
  ext.set_store_timestamp_ms(UnixMs());
  *ext.mutable_message() = std::move(message);
  result->set_message_id(ext.message().message_id());
  result->set_queue_id(queue_id);
  result->set_queue_offset(ext.queue_offset());
  queue.push_back(std::move(ext));
}

grpc::Status FakeBroker::Send(grpc::ServerContext* context, const messaging::SendMessageRequest& request,
                              messaging::SendMessageResponse* response) {
  {
    std::lock_guard lock(mutex_);
    ++send_calls_;
  }
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  if (!options_.leader_hint.empty()) return RefuseWrite(context);
  int64_t delay_ms = 0;
  {
    std::lock_guard lock(mutex_);
    delay_ms = send_delay_ms_;
  }
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));  // the injected slowness
  std::lock_guard lock(mutex_);
  if (request.messages_size() == 0) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no message");
  const std::string& topic = request.messages(0).topic();
  auto found = topics_.find(topic);
  if (found == topics_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown topic " + topic);
  if (request.queue_id() < 0 || request.queue_id() >= found->second) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad queue id");
  }
  response->set_broker_group(options_.group_name);
  for (const messaging::Message& message : request.messages()) {
    AppendLocked(topic, request.queue_id(), message, response->add_results());
  }
  ++sends_received_;
  changed_cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Pull(grpc::ServerContext* context, const messaging::PullMessageRequest& request,
                              messaging::PullMessageResponse* response) {
  {
    std::lock_guard lock(mutex_);
    ++pull_calls_;
  }
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  const auto hold_until = std::chrono::system_clock::now() + std::chrono::milliseconds(request.long_polling_timeout_ms());
  std::unique_lock lock(mutex_);
  if (topics_.count(request.topic()) == 0) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown topic");
  const std::vector<messaging::MessageExt>& queue = queues_[{request.topic(), request.queue_id()}];
  const auto size = [&] { return static_cast<int64_t>(queue.size()); };
  if (request.queue_offset() > size()) return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "past max offset");
  changed_cv_.wait_until(lock, hold_until, [&] { return size() > request.queue_offset() || context->IsCancelled(); });
  const int32_t max_messages = request.max_messages() > 0 ? request.max_messages() : 32;
  int64_t offset = request.queue_offset();
  for (; offset < size() && response->messages_size() < max_messages; ++offset) {
    const messaging::MessageExt& message = queue[static_cast<size_t>(offset)];
    if (TagMatches(request.tag_expression(), message.message().tag())) *response->add_messages() = message;
  }
  response->set_next_queue_offset(offset);
  response->set_min_offset(0);
  response->set_max_offset(size());
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Commit(grpc::ServerContext* context, const messaging::CommitOffsetRequest& request) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  if (!options_.leader_hint.empty()) return RefuseWrite(context);
  std::lock_guard lock(mutex_);
  offsets_[{request.consumer_group(), request.topic(), request.queue_id()}] = request.offset();
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Query(grpc::ServerContext* context, const messaging::QueryOffsetRequest& request,
                               messaging::QueryOffsetResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  auto found = offsets_.find({request.consumer_group(), request.topic(), request.queue_id()});
  if (found == offsets_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "never committed");
  response->set_offset(found->second);
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Heartbeat(grpc::ServerContext* context, const messaging::HeartbeatRequest& request) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  if (request.unregister()) {
    consumers_[request.consumer_group()].erase(request.client_id());
  } else {
    consumers_[request.consumer_group()][request.client_id()] = NowMs();
  }
  return grpc::Status::OK;
}

grpc::Status FakeBroker::ConsumerList(grpc::ServerContext* context, const messaging::GetConsumerListRequest& request,
                                      messaging::GetConsumerListResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  for (const std::string& id : Consumers(request.consumer_group())) response->add_client_ids(id);
  return grpc::Status::OK;
}

grpc::Status FakeBroker::SendBack(grpc::ServerContext* context, const messaging::SendBackMessageRequest& request) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  if (!options_.leader_hint.empty()) return RefuseWrite(context);
  std::lock_guard lock(mutex_);
  const std::vector<messaging::MessageExt>& queue = queues_[{request.topic(), request.queue_id()}];
  if (request.queue_offset() < 0 || request.queue_offset() >= static_cast<int64_t>(queue.size())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no such message");
  }
  // Redelivered at once through the retry topic's single queue (no delay levels here).
  messaging::Message message = queue[static_cast<size_t>(request.queue_offset())].message();
  const std::string retry_topic = "%RETRY%" + request.consumer_group();
  topics_.emplace(retry_topic, 1);
  messaging::SendResult ignored;
  AppendLocked(retry_topic, 0, std::move(message), &ignored);
  changed_cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Describe(grpc::ServerContext* context, const std::string& topic,
                                  admin::TopicResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  auto found = topics_.find(topic);
  if (found == topics_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown topic " + topic);
  response->mutable_topic()->set_name(topic);
  response->mutable_topic()->set_read_queue_nums(found->second);
  response->mutable_topic()->set_write_queue_nums(found->second);
  response->mutable_topic()->set_perm(admin::PERM_READ | admin::PERM_WRITE);
  for (int32_t q = 0; q < found->second; ++q) {
    admin::QueueStatus* status = response->add_queues();
    status->set_queue_id(q);
    status->set_min_offset(0);
    status->set_max_offset(static_cast<int64_t>(queues_[{topic, q}].size()));
  }
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Create(grpc::ServerContext* context, const admin::TopicConfig& topic,
                                admin::TopicResponse* response) {
  if (!options_.leader_hint.empty()) return RefuseWrite(context);
  {
    std::lock_guard lock(mutex_);
    if (!topics_.emplace(topic.name(), topic.write_queue_nums()).second) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "topic " + topic.name() + " exists");
    }
  }
  return Describe(context, topic.name(), response);
}

grpc::Status FakeBroker::List(grpc::ServerContext* context, admin::ListTopicsResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  for (const auto& [name, queues] : topics_) {
    admin::TopicConfig* topic = response->add_topics();
    topic->set_name(name);
    topic->set_read_queue_nums(queues);
    topic->set_write_queue_nums(queues);
    topic->set_perm(admin::PERM_READ | admin::PERM_WRITE);
  }
  return grpc::Status::OK;
}

grpc::Status FakeBroker::NodeStatus(grpc::ServerContext* context, admin::NodeStatusResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  response->set_cluster_name(options_.cluster_name);
  response->set_group_name(options_.group_name);
  response->set_node_id(options_.node_id);
  response->set_address(address_);
  response->set_role(options_.leader_hint.empty() ? admin::LEADER : admin::FOLLOWER);
  response->set_term(1);
  response->set_commit_index(static_cast<uint64_t>(sends_received_));
  response->set_applied_index(static_cast<uint64_t>(sends_received_));
  response->set_last_index(static_cast<uint64_t>(sends_received_));
  return grpc::Status::OK;
}

grpc::Status FakeBroker::Offsets(grpc::ServerContext* context, const admin::GroupOffsetsRequest& request,
                                 admin::GroupOffsetsResponse* response) {
  if (!PassStall(context)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled");
  std::lock_guard lock(mutex_);
  for (const auto& [name, queues] : topics_) {
    if (!request.topic().empty() && name != request.topic()) continue;
    for (int32_t q = 0; q < queues; ++q) {
      auto committed = offsets_.find({request.consumer_group(), name, q});
      if (committed == offsets_.end()) continue;
      admin::QueueLag* lag = response->add_queues();
      lag->set_topic(name);
      lag->set_queue_id(q);
      lag->set_broker_max_offset(static_cast<int64_t>(queues_[{name, q}].size()));
      lag->set_consumer_offset(committed->second);
      lag->set_lag(lag->broker_max_offset() - committed->second);
    }
  }
  return grpc::Status::OK;
}

int64_t FakeBroker::sends_received() const {
  std::lock_guard lock(mutex_);
  return sends_received_;
}

int64_t FakeBroker::send_calls() const {
  std::lock_guard lock(mutex_);
  return send_calls_;
}

int64_t FakeBroker::pull_calls() const {
  std::lock_guard lock(mutex_);
  return pull_calls_;
}

int64_t FakeBroker::write_calls_refused() const {
  std::lock_guard lock(mutex_);
  return write_calls_refused_;
}

int64_t FakeBroker::MaxOffset(const std::string& topic, int32_t queue_id) const {
  std::lock_guard lock(mutex_);
  auto found = queues_.find({topic, queue_id});
  return found == queues_.end() ? 0 : static_cast<int64_t>(found->second.size());
}

int64_t FakeBroker::CommittedOffset(const std::string& group, const std::string& topic, int32_t queue_id) const {
  std::lock_guard lock(mutex_);
  auto found = offsets_.find({group, topic, queue_id});
  return found == offsets_.end() ? -1 : found->second;
}

std::vector<std::string> FakeBroker::Consumers(const std::string& group) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  auto found = consumers_.find(group);
  if (found == consumers_.end()) return ids;
  const int64_t now_ms = NowMs();
  for (const auto& [id, last_ms] : found->second) {
    if (now_ms - last_ms <= options_.consumer_expiry_ms) ids.push_back(id);
  }
  return ids;  // std::map order: sorted
}

}  // namespace raftmq::client::testing
