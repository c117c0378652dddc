#include "client/producer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::client {

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  RMQ_RETURN_IF_ERROR(ValidateClientOptions(options.client));
  if (options.retry_times_when_send_failed < 0) return Status::InvalidArgument("retry_times_when_send_failed < 0");
  if (options.retry_backoff_ms_min < 0 || options.retry_backoff_ms_max < options.retry_backoff_ms_min) {
    return Status::InvalidArgument("retry_backoff_ms_min must be >= 0 and <= retry_backoff_ms_max");
  }
  if (options.async_send_threads <= 0 || options.async_send_queue_max <= 0) {
    return Status::InvalidArgument("async_send_threads and async_send_queue_max must be positive");
  }
  if (options.batch_messages_max <= 0) return Status::InvalidArgument("batch_messages_max must be positive");
  if (options.async_batch_bytes_max == 0) return Status::InvalidArgument("async_batch_bytes_max must be positive");
  return std::unique_ptr<Producer>(new Producer(options));
}

Producer::Producer(const ProducerOptions& options)
    : options_(options),
      instance_(options.client),
      faults_(options.latency_fault),
      async_pool_(options.async_send_threads, options.async_send_queue_max),
      id_salt_(static_cast<uint32_t>(std::random_device{}())) {}

Producer::~Producer() { Shutdown(); }

void Producer::Shutdown() {
  shut_down_.store(true);
  {
    // Non-blocking attempts may still hand their retry to the pool: let them finish first.
    std::unique_lock lock(async_mutex_);
    async_cv_.wait(lock, [this] { return async_in_flight_ == 0; });
  }
  async_pool_.Shutdown();
}

std::string Producer::NewMessageId() {
  // Unix ms, pid, a per-producer random salt and a counter: unique without coordination.
  char id[64];
  std::snprintf(id, sizeof(id), "%011" PRIX64 "%06X%08X%08" PRIX64, static_cast<uint64_t>(UnixNowMs()),
                static_cast<unsigned>(getpid()) & 0xFFFFFFu, id_salt_, id_counter_.fetch_add(1) & 0xFFFFFFFFu);
  return id;
}

Status Producer::Prepare(messaging::Message* message) {
  if (message->topic().empty()) return Status::InvalidArgument("message has no topic");
  if (message->body().empty()) return Status::InvalidArgument("message has an empty body");
  if (message->message_id().empty()) message->set_message_id(NewMessageId());
  if (message->born_timestamp_ms() == 0) message->set_born_timestamp_ms(UnixNowMs());
  return Status::Ok();
}

Result<SendReceipt> Producer::Send(const messaging::Message& message) { return SendOne(message, false); }

Result<SendReceipt> Producer::SendOne(const messaging::Message& message, bool outcome_unknown) {
  if (shut_down_.load()) return Status::Aborted("producer is shut down");
  messaging::SendMessageRequest request;
  *request.add_messages() = message;
  RMQ_RETURN_IF_ERROR(Prepare(request.mutable_messages(0)));
  RMQ_ASSIGN_OR_RETURN(std::vector<SendReceipt> receipts,
                       SendRequest(message.topic(), &request, 1 + options_.retry_times_when_send_failed, outcome_unknown));
  RMQ_ASSERT(receipts.size() == 1);
  return std::move(receipts.front());
}

std::future<Result<SendReceipt>> Producer::SendAsync(messaging::Message message) {
  auto promise = std::make_shared<std::promise<Result<SendReceipt>>>();
  std::future<Result<SendReceipt>> future = promise->get_future();
  SendAsync(std::move(message), [promise](const Result<SendReceipt>& result) { promise->set_value(result); });
  return future;
}

Status Producer::SendOneway(messaging::Message message) {
  if (shut_down_.load()) return Status::Aborted("producer is shut down");
  RMQ_RETURN_IF_ERROR(Prepare(&message));
  const bool accepted = async_pool_.Submit([this, message = std::move(message)] {
    messaging::SendMessageRequest request;
    *request.add_messages() = message;
    auto result = SendRequest(message.topic(), &request, 1);
    if (!result.ok()) spdlog::debug("one-way send failed: {}", result.status().ToString());
  });
  return accepted ? Status::Ok() : Status::Aborted("producer is shut down");
}

Result<std::vector<SendReceipt>> Producer::SendBatch(std::vector<messaging::Message> messages) {
  if (shut_down_.load()) return Status::Aborted("producer is shut down");
  if (messages.empty()) return Status::InvalidArgument("empty batch");
  if (messages.size() > static_cast<size_t>(options_.batch_messages_max)) {
    return Status::InvalidArgument("batch of " + std::to_string(messages.size()) + " messages exceeds batch_messages_max " +
                                   std::to_string(options_.batch_messages_max));
  }
  const std::string topic = messages.front().topic();
  messaging::SendMessageRequest request;
  for (messaging::Message& message : messages) {
    if (message.topic() != topic) return Status::InvalidArgument("a batch must target one topic");
    RMQ_RETURN_IF_ERROR(Prepare(&message));
    *request.add_messages() = std::move(message);
  }
  return SendRequest(topic, &request, 1 + options_.retry_times_when_send_failed);
}

Result<std::vector<SendReceipt>> Producer::SendRequest(const std::string& topic,
                                                       messaging::SendMessageRequest* request, int32_t attempts_max,
                                                       bool outcome_unknown) {
  RMQ_ASSERT(attempts_max >= 1);
  RMQ_ASSERT(request->messages_size() > 0);
  auto is_available = [this](const std::string& group) { return IsGroupAvailable(group); };
  Status last_error;
  std::string failed_group;
  int64_t backoff_ms = options_.retry_backoff_ms_min;
  for (int32_t attempt = 0; attempt < attempts_max; ++attempt) {
    auto route = instance_.routes().Get(topic);
    if (!route.ok()) return route.status().WithContext("route of topic '" + topic + "'");
    auto queue = selector_.Select(topic, (*route)->writable_queues, failed_group, is_available);
    if (!queue) return Status::NotFound("topic '" + topic + "' has no writable queue");
    if (queue->broker_group == failed_group) {
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, options_.retry_backoff_ms_max);
    }
    request->set_queue_id(queue->queue_id);
    const int64_t start_ms = SteadyNowMs();
    auto receipts = SendToQueue(*queue, *request);
    NoteSendOutcome(queue->broker_group, start_ms, receipts.ok());
    if (receipts.ok()) {
      for (SendReceipt& receipt : *receipts) receipt.may_be_duplicate = outcome_unknown;
      return receipts;
    }
    last_error = receipts.status();
    outcome_unknown = outcome_unknown || IsOutcomeUnknown(last_error);
    if (!IsRetriable(last_error)) break;
    spdlog::debug("send to {} failed (attempt {} of {}): {}", queue->ToString(), attempt + 1, attempts_max,
                  last_error.ToString());
    instance_.routes().Invalidate(topic);
    failed_group = queue->broker_group;
  }
  // After an answer of unknown outcome, a later definite refusal does not make it definite.
  if (outcome_unknown && !last_error.IsAborted()) {
    return Status::Aborted("outcome unknown: the message may have been stored (" + last_error.ToString() + ")");
  }
  return last_error;
}

bool Producer::IsGroupAvailable(const std::string& group) const {
  return !options_.send_latency_fault_enable || faults_.IsAvailable(group, SteadyNowMs());
}

void Producer::NoteSendOutcome(const std::string& group, int64_t start_ms, bool ok) {
  if (!options_.send_latency_fault_enable) return;
  const int64_t now_ms = SteadyNowMs();
  faults_.Update(group, now_ms - start_ms, !ok, now_ms);
}

Result<std::vector<SendReceipt>> Producer::SendToQueue(const MessageQueue& queue,
                                                       const messaging::SendMessageRequest& request) {
  RMQ_ASSIGN_OR_RETURN(messaging::SendMessageResponse response,
                       instance_.brokers().CallLeader(queue.broker_group, "SendMessage",
                                                      &messaging::MessagingService::Stub::SendMessage, request));
  return Receipts(queue, request, response);
}

Result<std::vector<SendReceipt>> Producer::Receipts(const MessageQueue& queue, const messaging::SendMessageRequest& request,
                                                    const messaging::SendMessageResponse& response) {
  if (response.results_size() != request.messages_size()) {
    return Status::IoError("broker answered " + std::to_string(response.results_size()) + " results for " +
                           std::to_string(request.messages_size()) + " messages");
  }
  std::vector<SendReceipt> receipts;
  receipts.reserve(static_cast<size_t>(response.results_size()));
  for (const messaging::SendResult& result : response.results()) {
    receipts.push_back({result.message_id(), {queue.topic, queue.broker_group, result.queue_id()},
                        result.queue_offset()});
  }
  return receipts;
}

}  // namespace raftmq::client
