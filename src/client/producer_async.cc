// Producer, the async half: non-blocking first attempts, coalesced per queue. While a send to
// a queue is in flight, further async sends to that queue wait in its batch; when the send
// returns, everything waiting goes out as one SendMessage (one Raft entry on the broker, each
// message with its own receipt and consecutive offsets). An idle queue sends at once, so a
// lone message pays no delay, and under load the batches grow with the load (group commit).
#include <spdlog/spdlog.h>

#include "client/grpc_status.h"
#include "client/producer.h"
#include "common/assert.h"

namespace raftmq::client {

void Producer::AcquireAsyncSlot() {
  std::unique_lock lock(async_mutex_);
  async_cv_.wait(lock, [this] { return async_in_flight_ < options_.async_send_queue_max; });
  ++async_in_flight_;
}

void Producer::ReleaseAsyncSlots(size_t count) {
  std::lock_guard lock(async_mutex_);
  async_in_flight_ -= static_cast<int32_t>(count);
  RMQ_ASSERT(async_in_flight_ >= 0);
  async_cv_.notify_all();
}

void Producer::SendAsync(messaging::Message message, SendCallback callback) {
  RMQ_ASSERT(callback != nullptr);
  if (shut_down_.load()) return callback(Status::Aborted("producer is shut down"));
  if (Status prepared = Prepare(&message); !prepared.ok()) return callback(prepared);
  const std::string topic = message.topic();
  auto route = instance_.routes().Get(topic);
  std::optional<MessageQueue> queue;
  if (route.ok()) {
    queue = selector_.Select(topic, (*route)->writable_queues, "",
                             [this](const std::string& group) { return IsGroupAvailable(group); });
  }
  if (!queue) return RetryOnPool(std::move(message), std::move(callback), false);
  AcquireAsyncSlot();
  std::unique_lock lock(batches_mutex_);
  QueueBatch& batch = batches_[*queue];
  batch.messages.push_back(std::move(message));
  batch.callbacks.push_back(std::move(callback));
  if (batch.in_flight) return;  // the send in flight takes this batch when it returns
  batch.in_flight = true;
  TakenBatch taken = TakeBatchLocked(*queue, &batch);
  lock.unlock();
  SendBatchAsync(*queue, std::move(taken));
}

Producer::TakenBatch Producer::TakeBatchLocked(const MessageQueue& queue, QueueBatch* batch) {
  RMQ_ASSERT(!batch->messages.empty() && batch->in_flight);
  TakenBatch taken;
  auto request = std::make_shared<messaging::SendMessageRequest>();
  request->set_queue_id(queue.queue_id);
  size_t count = 0;
  uint64_t bytes = 0;
  while (count < batch->messages.size() && count < static_cast<size_t>(options_.batch_messages_max)) {
    const uint64_t message_bytes = batch->messages[count].ByteSizeLong();
    // At least one message, however large: the broker judges its size.
    if (count > 0 && bytes + message_bytes > options_.async_batch_bytes_max) break;
    bytes += message_bytes;
    *request->add_messages() = std::move(batch->messages[count]);
    taken.callbacks.push_back(std::move(batch->callbacks[count]));
    ++count;
  }
  batch->messages.erase(batch->messages.begin(), batch->messages.begin() + static_cast<ptrdiff_t>(count));
  batch->callbacks.erase(batch->callbacks.begin(), batch->callbacks.begin() + static_cast<ptrdiff_t>(count));
  taken.request = std::move(request);
  return taken;
}

void Producer::SendBatchAsync(const MessageQueue& queue, TakenBatch taken) {
  const int64_t start_ms = SteadyNowMs();
  async_batches_sent_.fetch_add(1, std::memory_order_relaxed);
  auto request = taken.request;
  instance_.brokers().SendMessageAsync(
      queue.broker_group, std::move(request),
      [this, queue, start_ms, taken = std::move(taken)](Result<messaging::SendMessageResponse> response) mutable {
        const size_t count = taken.callbacks.size();
        CompleteBatch(queue, start_ms, taken, std::move(response));
        SendNextBatch(queue);
        // Last: once every slot is back, Shutdown may return and the producer be destroyed.
        ReleaseAsyncSlots(count);
      });
}

void Producer::SendNextBatch(const MessageQueue& queue) {
  std::unique_lock lock(batches_mutex_);
  QueueBatch& batch = batches_[queue];
  RMQ_ASSERT(batch.in_flight);
  if (batch.messages.empty()) {
    batch.in_flight = false;
    return;
  }
  TakenBatch next = TakeBatchLocked(queue, &batch);
  lock.unlock();
  SendBatchAsync(queue, std::move(next));
}

void Producer::CompleteBatch(const MessageQueue& queue, int64_t start_ms, const TakenBatch& taken,
                             Result<messaging::SendMessageResponse> response) {
  NoteSendOutcome(queue.broker_group, start_ms, response.ok());
  const messaging::SendMessageRequest& request = *taken.request;
  Result<std::vector<SendReceipt>> receipts =
      response.ok() ? Receipts(queue, request, *response) : Result<std::vector<SendReceipt>>(response.status());
  if (receipts.ok()) {
    for (size_t i = 0; i < taken.callbacks.size(); ++i) taken.callbacks[i](std::move((*receipts)[i]));
    return;
  }
  const Status& error = receipts.status();
  if (!IsRetriable(error) && taken.callbacks.size() == 1) return taken.callbacks.front()(error);
  // Retriable, or refused as a batch (one bad message refuses them all): each message alone
  // through the blocking path, which retries and gives every message its own verdict.
  spdlog::debug("async send of {} messages to {} failed: {}", taken.callbacks.size(), queue.ToString(), error.ToString());
  instance_.routes().Invalidate(queue.topic);
  const bool outcome_unknown = IsOutcomeUnknown(error);
  for (size_t i = 0; i < taken.callbacks.size(); ++i) {
    RetryOnPool(request.messages(static_cast<int>(i)), taken.callbacks[i], outcome_unknown);
  }
}

void Producer::RetryOnPool(messaging::Message message, SendCallback callback, bool outcome_unknown) {
  auto shared_callback = std::make_shared<SendCallback>(std::move(callback));
  const bool accepted = async_pool_.Submit([this, message = std::move(message), shared_callback, outcome_unknown] {
    (*shared_callback)(SendOne(message, outcome_unknown));
  });
  if (!accepted) (*shared_callback)(Status::Aborted("producer is shut down"));
}

}  // namespace raftmq::client
