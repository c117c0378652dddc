// Producer: sends messages to a topic's queues across every broker group serving it.
//
//   ProducerOptions options;
//   options.client.nameserver_addresses = {"127.0.0.1:9876"};
//   auto producer = Producer::Create(options);          // Result<std::unique_ptr<Producer>>
//   messaging::Message message;
//   message.set_topic("orders");
//   message.set_body("hello");
//   Result<SendReceipt> receipt = (*producer)->Send(message);
//
// Queue choice: round-robin over the writable queues of every group (QueueSelector), avoiding
// groups that were slow or failing (LatencyFaultTolerance, RocketMQ's sendLatencyFaultEnable).
// A failed send is retried retry_times_when_send_failed times, each on another group when
// there is one, else on the same group after a backoff (it may be electing a leader); a
// follower's leader hint is followed at once (BrokerClient). A send is
// acknowledged only when the broker committed it on a majority of its group. An attempt the
// broker answers ABORTED (outcome unknown: it may still commit), or that got no answer before
// rpc_timeout_ms (DEADLINE_EXCEEDED: the broker may have appended it all the same), is retried
// too, so the message may be stored twice (SendReceipt::may_be_duplicate); when every attempt fails after
// such an answer the send fails with Aborted "outcome unknown", never with a definite error.
// Every message gets a unique message_id here unless the caller set one.
//
// Threading: every method may be called from any thread concurrently. Async callbacks and
// one-way sends run on async_send_threads pool threads; a callback must not block long.
// Shutdown (or the destructor) completes every async send already accepted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/client_instance.h"
#include "client/client_options.h"
#include "client/latency_fault_tolerance.h"
#include "client/message_queue.h"
#include "client/queue_selector.h"
#include "client/thread_pool.h"
#include "common/result.h"
#include "proto/messaging.pb.h"

namespace raftmq::client {

struct SendReceipt {
  std::string message_id;
  MessageQueue queue;
  int64_t queue_offset = 0;
  // An earlier attempt of this send had an unknown outcome (the broker answered that the
  // entry may still commit, or did not answer before the deadline), so the message may be stored twice: delivery is at-least-once.
  bool may_be_duplicate = false;
};

using SendCallback = std::function<void(const Result<SendReceipt>&)>;

class Producer {
 public:
  // InvalidArgument on bad options. Connects lazily: no nameserver is contacted here.
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  ~Producer();

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Blocks until the broker acknowledged the message or every attempt failed.
  Result<SendReceipt> Send(const messaging::Message& message);
  // Returns at once (or blocks while async_send_queue_max sends are in flight: back-pressure);
  // `callback` runs with the outcome on a gRPC or pool thread. The first attempt is a
  // non-blocking call to the chosen queue's group leader; async sends to a queue that has one
  // in flight wait and then go together as one batch (one Raft entry). A failed attempt is
  // retried message by message as a sync send is. Aborted when shut down.
  void SendAsync(messaging::Message message, SendCallback callback);
  std::future<Result<SendReceipt>> SendAsync(messaging::Message message);
  // Fire and forget: one attempt, outcome only logged. Errors only for an invalid message or
  // a shut-down producer.
  Status SendOneway(messaging::Message message);
  // One topic; committed as one Raft entry on one queue (all or nothing). Receipts in order.
  Result<std::vector<SendReceipt>> SendBatch(std::vector<messaging::Message> messages);

  void Shutdown();

  const std::string& client_id() const { return instance_.client_id(); }
  // SendMessage calls made by async sends (fewer than the messages when they coalesce).
  uint64_t async_batches_sent() const { return async_batches_sent_.load(std::memory_order_relaxed); }

 private:
  explicit Producer(const ProducerOptions& options);

  Status Prepare(messaging::Message* message);
  // Send, after an attempt whose outcome may already be unknown (an async first attempt).
  Result<SendReceipt> SendOne(const messaging::Message& message, bool outcome_unknown);
  // Sends the request's messages to `topic`, choosing the queue per attempt. `outcome_unknown`:
  // an earlier attempt may have stored them.
  Result<std::vector<SendReceipt>> SendRequest(const std::string& topic, messaging::SendMessageRequest* request,
                                               int32_t attempts_max, bool outcome_unknown = false);
  Result<std::vector<SendReceipt>> SendToQueue(const MessageQueue& queue,
                                               const messaging::SendMessageRequest& request);
  std::string NewMessageId();
  // Latency fault avoidance (when enabled): whether to choose `group`, and what a send to it took.
  bool IsGroupAvailable(const std::string& group) const;
  void NoteSendOutcome(const std::string& group, int64_t start_ms, bool ok);
  // The broker's answer to `request` on `queue` as receipts; IoError when it does not match.
  static Result<std::vector<SendReceipt>> Receipts(const MessageQueue& queue, const messaging::SendMessageRequest& request,
                                                   const messaging::SendMessageResponse& response);

  // producer_async.cc: async sends waiting for a queue while a send to it is in flight.
  struct QueueBatch {
    std::vector<messaging::Message> messages;
    std::vector<SendCallback> callbacks;  // one per message
    bool in_flight = false;
  };
  struct TakenBatch {
    std::shared_ptr<messaging::SendMessageRequest> request;
    std::vector<SendCallback> callbacks;
  };
  // Moves the front of `batch` (batch_messages_max, async_batch_bytes_max) into a request.
  TakenBatch TakeBatchLocked(const MessageQueue& queue, QueueBatch* batch);
  // Sends `taken` without blocking; when it returns, sends whatever waited meanwhile.
  void SendBatchAsync(const MessageQueue& queue, TakenBatch taken);
  // After a batch to `queue` returned: sends what waited meanwhile, or marks the queue idle.
  void SendNextBatch(const MessageQueue& queue);
  void CompleteBatch(const MessageQueue& queue, int64_t start_ms, const TakenBatch& taken,
                     Result<messaging::SendMessageResponse> response);
  // A sync send (with its retries) on the pool, the outcome to `callback`.
  void RetryOnPool(messaging::Message message, SendCallback callback, bool outcome_unknown);
  void AcquireAsyncSlot();
  void ReleaseAsyncSlots(size_t count);

  const ProducerOptions options_;
  ClientInstance instance_;
  QueueSelector selector_;
  LatencyFaultTolerance faults_;
  ThreadPool async_pool_;
  const uint32_t id_salt_;
  std::atomic<uint64_t> id_counter_{0};
  std::atomic<bool> shut_down_{false};
  std::mutex async_mutex_;
  std::condition_variable async_cv_;
  int32_t async_in_flight_ = 0;  // guarded by async_mutex_: async sends accepted, not yet called back
  std::mutex batches_mutex_;
  std::map<MessageQueue, QueueBatch> batches_;  // guarded by batches_mutex_
  std::atomic<uint64_t> async_batches_sent_{0};
};

}  // namespace raftmq::client
