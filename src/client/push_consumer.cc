#include "client/push_consumer.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "client/local_file_offset_store.h"
#include "client/offset_start.h"
#include "client/remote_offset_store.h"
#include "common/assert.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client {
namespace {

std::string RetryTopic(const std::string& group) { return "%RETRY%" + group; }

Status ValidatePushOptions(const PushConsumerOptions& options) {
  RMQ_RETURN_IF_ERROR(ValidateClientOptions(options.client));
  if (options.consumer_group.empty()) return Status::InvalidArgument("consumer_group is empty");
  const int64_t positives[] = {options.consume_thread_count, options.consume_queue_max, options.pull_batch_size,
                               options.persist_consumer_offset_interval_ms, options.rebalance_interval_ms,
                               options.heartbeat_broker_interval_ms, options.consumer_list_check_interval_ms,
                               options.flow_control.pull_threshold_for_queue,
                               options.flow_control.pull_threshold_size_for_queue_mib,
                               options.flow_control.consume_concurrently_max_span};
  for (int64_t value : positives) {
    if (value <= 0) return Status::InvalidArgument("every count, interval and threshold must be positive");
  }
  if (options.long_polling_timeout_ms < 0) return Status::InvalidArgument("long_polling_timeout_ms < 0");
  return Status::Ok();
}

std::filesystem::path OffsetFile(const PushConsumerOptions& options) {
  std::filesystem::path dir = options.offset_store_dir;
  if (dir.empty()) {
    const char* home = std::getenv("HOME");
    dir = std::filesystem::path(home != nullptr ? home : ".") / ".raftmq_offsets";
  }
  return dir / options.client.instance_name / options.consumer_group / "offsets.json";
}

}  // namespace

Result<std::unique_ptr<PushConsumer>> PushConsumer::Create(const PushConsumerOptions& options) {
  RMQ_RETURN_IF_ERROR(ValidatePushOptions(options));
  std::unique_ptr<PushConsumer> consumer(new PushConsumer(options));
  if (options.message_model == MessageModel::kBroadcasting) {
    RMQ_ASSIGN_OR_RETURN(consumer->offset_store_, LocalFileOffsetStore::Open(OffsetFile(options)));
  } else {
    consumer->offset_store_ = std::make_unique<RemoteOffsetStore>(&consumer->instance_.brokers(), options.consumer_group);
  }
  return consumer;
}

PushConsumer::PushConsumer(const PushConsumerOptions& options)
    : options_(options),
      instance_(options.client),
      rebalancer_(&instance_, options.consumer_group, options.message_model),
      consume_pool_(std::make_unique<ThreadPool>(options.consume_thread_count, options.consume_queue_max)) {}

PushConsumer::~PushConsumer() { Shutdown(); }

Status PushConsumer::Subscribe(const std::string& topic, const std::string& tag_expression) {
  std::lock_guard lock(mutex_);
  if (started_) return Status::InvalidArgument("subscribe before Start");
  if (topic.empty()) return Status::InvalidArgument("empty topic");
  subscriptions_[topic] = tag_expression.empty() ? "*" : tag_expression;
  return Status::Ok();
}

void PushConsumer::RegisterMessageListener(MessageListener listener) {
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(!started_);
  listener_ = std::move(listener);
}

std::vector<std::string> PushConsumer::Topics() const {
  std::vector<std::string> topics;
  for (const auto& [topic, expression] : subscriptions_) topics.push_back(topic);
  if (options_.message_model == MessageModel::kClustering) topics.push_back(RetryTopic(options_.consumer_group));
  return topics;
}

Status PushConsumer::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_ || stopping_) return Status::InvalidArgument("Start called twice");
    if (!listener_) return Status::InvalidArgument("no message listener registered");
    if (subscriptions_.empty()) return Status::InvalidArgument("no subscription");
  }
  for (const auto& [topic, expression] : subscriptions_) {
    auto route = instance_.routes().Get(topic);
    if (!route.ok()) return route.status().WithContext("subscribing to '" + topic + "'");
  }
  Heartbeat(/*unregister=*/false);
  for (const std::string& topic : Topics()) {
    Status status = Rebalance(topic);
    if (!status.ok() && !status.IsNotFound()) spdlog::warn("first rebalance of {}: {}", topic, status.ToString());
  }
  std::lock_guard lock(mutex_);
  started_ = true;
  housekeeping_ = std::thread([this] { RunHousekeeping(); });
  return Status::Ok();
}

void PushConsumer::Heartbeat(bool unregister) {
  messaging::HeartbeatRequest request;
  request.set_client_id(instance_.client_id());
  request.set_consumer_group(options_.consumer_group);
  request.set_message_model(options_.message_model == MessageModel::kClustering ? messaging::CLUSTERING
                                                                                 : messaging::BROADCASTING);
  request.set_unregister(unregister);
  std::vector<std::string> groups;
  for (const std::string& topic : Topics()) {
    messaging::Subscription* subscription = request.add_subscriptions();
    subscription->set_topic(topic);
    auto found = subscriptions_.find(topic);
    subscription->set_tag_expression(found == subscriptions_.end() ? "*" : found->second);
    auto route = instance_.routes().Get(topic);
    if (route.ok()) groups.insert(groups.end(), (*route)->groups.begin(), (*route)->groups.end());
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  for (const std::string& group : groups) {
    // Every node: the consumer list survives a leader change without waiting for a heartbeat.
    for (const std::string& address : instance_.directory().NodeAddresses(group)) {
      auto response = instance_.brokers().CallNode(address, "Heartbeat", &messaging::MessagingService::Stub::Heartbeat,
                                                   request);
      if (!response.ok()) spdlog::debug("heartbeat to {}: {}", address, response.status().ToString());
    }
  }
}

Status PushConsumer::Rebalance(const std::string& topic) {
  RMQ_ASSIGN_OR_RETURN(client::Assignment assignment, rebalancer_.Assign(topic));
  last_consumers_[topic] = assignment.consumers;
  std::vector<MessageQueue> owned_now;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [queue, owned] : owned_) {
      if (queue.topic == topic) owned_now.push_back(queue);
    }
  }
  for (const MessageQueue& queue : owned_now) {
    if (!std::binary_search(assignment.queues.begin(), assignment.queues.end(), queue)) ReleaseQueue(queue);
  }
  for (const MessageQueue& queue : assignment.queues) {
    if (!std::binary_search(owned_now.begin(), owned_now.end(), queue)) TakeQueue(queue);
  }
  return Status::Ok();
}

void PushConsumer::TakeQueue(const MessageQueue& queue) {
  auto start = ComputeStartOffset(instance_.brokers(), *offset_store_, options_.consumer_group, queue,
                                  options_.consume_from_where, options_.consume_timestamp_ms,
                                  options_.client.rpc_timeout_ms);
  if (!start.ok()) {
    spdlog::warn("cannot take {}: {} (next rebalance retries)", queue.ToString(), start.status().ToString());
    return;
  }
  // Remembered at once, so a new group starting from "last" keeps that position even if it
  // consumes nothing before the next rebalance.
  offset_store_->Update(queue, *start);
  auto process_queue = std::make_shared<ProcessQueue>(*start);
  auto found = subscriptions_.find(queue.topic);
  const std::string expression = found == subscriptions_.end() ? "*" : found->second;
  auto dispatch = [this](const MessageQueue& q, const std::shared_ptr<ProcessQueue>& pq,
                         std::vector<messaging::MessageExt> messages) { Dispatch(q, pq, std::move(messages)); };
  auto loop = std::make_unique<QueuePullLoop>(&instance_.brokers(), &options_, offset_store_.get(), queue, expression,
                                              process_queue, std::move(dispatch));
  spdlog::info("{} takes {} from offset {}", instance_.client_id(), queue.ToString(), *start);
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(owned_.count(queue) == 0);
  owned_[queue] = OwnedQueue{std::move(process_queue), std::move(loop)};
}

void PushConsumer::ReleaseQueue(const MessageQueue& queue) {
  OwnedQueue owned;
  {
    std::lock_guard lock(mutex_);
    auto it = owned_.find(queue);
    RMQ_ASSERT(it != owned_.end());
    owned = std::move(it->second);
    owned_.erase(it);
  }
  owned.pull_loop->Stop();
  owned.process_queue->Drop();
  offset_store_->Update(queue, owned.process_queue->CommitOffset());
  Status persisted = offset_store_->Persist(queue);
  if (!persisted.ok()) spdlog::warn("commit of released {}: {}", queue.ToString(), persisted.ToString());
  offset_store_->Remove(queue);
  spdlog::info("{} releases {}", instance_.client_id(), queue.ToString());
  std::lock_guard lock(mutex_);
  retired_pause_count_ += owned.pull_loop->pause_count();
}

bool PushConsumer::ConsumerListChanged() {
  for (const auto& [topic, expression] : subscriptions_) {
    auto consumers = rebalancer_.ConsumerList(topic);
    if (consumers.ok() && *consumers != last_consumers_[topic]) return true;
  }
  return false;
}

void PushConsumer::RunHousekeeping() {
  const int64_t start_ms = SteadyNowMs();
  int64_t next_heartbeat_ms = start_ms + options_.heartbeat_broker_interval_ms;
  int64_t next_check_ms = start_ms + options_.consumer_list_check_interval_ms;
  int64_t next_rebalance_ms = start_ms + options_.rebalance_interval_ms;
  int64_t next_persist_ms = start_ms + options_.persist_consumer_offset_interval_ms;
  while (true) {
    const int64_t wake_ms = std::min({next_heartbeat_ms, next_check_ms, next_rebalance_ms, next_persist_ms});
    {
      std::unique_lock lock(mutex_);
      stop_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, wake_ms - SteadyNowMs())),
                        [&] { return stopping_; });
      if (stopping_) return;
    }
    const int64_t now_ms = SteadyNowMs();
    if (now_ms >= next_heartbeat_ms) {
      Heartbeat(/*unregister=*/false);
      next_heartbeat_ms = now_ms + options_.heartbeat_broker_interval_ms;
    }
    bool rebalance = now_ms >= next_rebalance_ms;
    if (now_ms >= next_check_ms) {
      if (!rebalance && options_.message_model == MessageModel::kClustering) rebalance = ConsumerListChanged();
      next_check_ms = now_ms + options_.consumer_list_check_interval_ms;
    }
    if (rebalance) {
      for (const std::string& topic : Topics()) {
        Status status = Rebalance(topic);
        if (!status.ok() && !status.IsNotFound()) spdlog::warn("rebalance of {}: {}", topic, status.ToString());
        if (status.IsUnavailable()) next_heartbeat_ms = now_ms;  // the next round tells the brokers again
      }
      next_rebalance_ms = now_ms + options_.rebalance_interval_ms;
    }
    if (now_ms >= next_persist_ms) {
      Status persisted = offset_store_->PersistAll();
      if (!persisted.ok()) spdlog::warn("offset commit: {}", persisted.ToString());
      next_persist_ms = now_ms + options_.persist_consumer_offset_interval_ms;
    }
  }
}

void PushConsumer::Dispatch(const MessageQueue& queue, const std::shared_ptr<ProcessQueue>& process_queue,
                            std::vector<messaging::MessageExt> messages) {
  for (messaging::MessageExt& message : messages) {
    // A refused task (shutting down) leaves its message cached: its offset is never passed.
    consume_pool_->Submit([this, queue, process_queue, message = std::move(message)] {
      ConsumeOne(queue, process_queue, message);
    });
  }
}

ConsumeStatus PushConsumer::CallListener(const MessageQueue& queue, const messaging::MessageExt& message) {
  consumed_count_.fetch_add(1);
  try {
    return listener_(queue, message);
  } catch (const std::exception& error) {
    spdlog::warn("listener threw on {} offset {}: {}", queue.ToString(), message.queue_offset(), error.what());
  } catch (...) {
    spdlog::warn("listener threw on {} offset {}", queue.ToString(), message.queue_offset());
  }
  return ConsumeStatus::kReconsumeLater;
}

void PushConsumer::ConsumeOne(const MessageQueue& queue, const std::shared_ptr<ProcessQueue>& process_queue,
                              const messaging::MessageExt& message) {
  while (!process_queue->dropped()) {
    if (stopping()) return;  // not started before shutdown: stays unconsumed
    if (CallListener(queue, message) == ConsumeStatus::kConsumeSuccess) break;
    if (stopping()) return;  // handed back during shutdown: delivered again from its offset
    if (options_.message_model == MessageModel::kBroadcasting) break;  // RocketMQ drops it too
    Status sent_back = SendBack(queue, message);
    if (sent_back.ok()) break;
    spdlog::warn("send back of {} offset {} failed, consuming again: {}", queue.ToString(), message.queue_offset(),
                 sent_back.ToString());
    std::unique_lock lock(mutex_);
    if (stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.suspend_current_queue_time_ms),
                          [&] { return stopping_; })) {
      return;  // left cached: its offset is not committed, so it is delivered again later
    }
  }
  const int64_t commit_offset = process_queue->RemoveMessages({message.queue_offset()});
  if (!process_queue->dropped()) offset_store_->Update(queue, commit_offset);
}

Status PushConsumer::SendBack(const MessageQueue& queue, const messaging::MessageExt& message) {
  messaging::SendBackMessageRequest request;
  request.set_consumer_group(options_.consumer_group);
  request.set_topic(queue.topic);
  request.set_queue_id(queue.queue_id);
  request.set_queue_offset(message.queue_offset());
  auto response = instance_.brokers().CallLeader(queue.broker_group, "SendBackMessage",
                                                 &messaging::MessagingService::Stub::SendBackMessage, request);
  return response.ok() ? Status::Ok() : response.status();
}

void PushConsumer::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) {
      stopping_ = true;
      stopping_flag_.store(true);
      stop_cv_.notify_all();
      return;
    }
    stopping_ = true;
    stopping_flag_.store(true);
  }
  stop_cv_.notify_all();
  housekeeping_.join();
  // owned_ no longer changes: housekeeping, its only writer, has stopped.
  for (auto& [queue, owned] : owned_) owned.pull_loop->Stop();
  consume_pool_->Shutdown();
  for (auto& [queue, owned] : owned_) offset_store_->Update(queue, owned.process_queue->CommitOffset());
  Status persisted = offset_store_->PersistAll();
  if (!persisted.ok()) spdlog::warn("final offset commit: {}", persisted.ToString());
  Heartbeat(/*unregister=*/true);
  std::lock_guard lock(mutex_);
  owned_.clear();
}

void PushConsumer::AwaitStopping() const {
  std::unique_lock lock(mutex_);
  stop_cv_.wait(lock, [&] { return stopping_; });
}

std::vector<MessageQueue> PushConsumer::Assignment() const {
  std::lock_guard lock(mutex_);
  std::vector<MessageQueue> queues;
  for (const auto& [queue, owned] : owned_) queues.push_back(queue);
  return queues;
}

int64_t PushConsumer::flow_control_pause_count() const {
  std::lock_guard lock(mutex_);
  int64_t count = retired_pause_count_;
  for (const auto& [queue, owned] : owned_) count += owned.pull_loop->pause_count();
  return count;
}

}  // namespace raftmq::client
