// PushConsumer: subscribes to topics and calls a listener for every message (RocketMQ's
// DefaultMQPushConsumer, concurrent mode).
//
//   PushConsumerOptions options;
//   options.consumer_group = "billing";
//   auto consumer = PushConsumer::Create(options);
//   (*consumer)->Subscribe("orders", "paid || refunded");
//   (*consumer)->RegisterMessageListener([](const MessageQueue&, const messaging::MessageExt& m) {
//     return ConsumeStatus::kConsumeSuccess;
//   });
//   Status started = (*consumer)->Start();
//
// Per owned queue a QueuePullLoop long-polls into a ProcessQueue (flow control there); a pool
// of consume_thread_count threads calls the listener one message at a time. kReconsumeLater
// hands the message back to the broker (SendBackMessage → %RETRY%<group>; CLUSTERING only). The
// offset kept for a queue is its ProcessQueue's lowest unconsumed offset, persisted every
// persist_consumer_offset_interval_ms, when a queue leaves and on shutdown.
// CLUSTERING (default) divides queues among the group's live consumers (Rebalancer): this
// client heartbeats every node of every group of its topics, watches the consumer list every
// consumer_list_check_interval_ms (a join, leave or expiry triggers a rebalance) and
// rebalances at least every rebalance_interval_ms. BROADCASTING: every consumer reads every
// queue, offsets in a local file. Delivery is at least once: a queue moving between consumers
// may deliver a message to both.
//
// Threading: Subscribe and RegisterMessageListener before Start; Start and Shutdown once each,
// from one thread; the listener runs on pool threads concurrently (also for one queue) and
// must be thread-safe. Shutdown stops pulls, finishes in-flight consumes (messages cached but
// not yet handed to the listener stay unconsumed), commits offsets and unregisters.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client_instance.h"
#include "client/client_options.h"
#include "client/message_queue.h"
#include "client/offset_store.h"
#include "client/process_queue.h"
#include "client/queue_pull_loop.h"
#include "client/rebalancer.h"
#include "client/thread_pool.h"
#include "common/result.h"
#include "proto/messaging.pb.h"

namespace raftmq::client {

enum class ConsumeStatus { kConsumeSuccess, kReconsumeLater };

using MessageListener = std::function<ConsumeStatus(const MessageQueue& queue, const messaging::MessageExt& message)>;

class PushConsumer {
 public:
  // InvalidArgument on bad options (an empty consumer_group among them).
  static Result<std::unique_ptr<PushConsumer>> Create(const PushConsumerOptions& options);
  ~PushConsumer();

  PushConsumer(const PushConsumer&) = delete;
  PushConsumer& operator=(const PushConsumer&) = delete;

  // `tag_expression`: "*" or "" for all, "a || b" for tags a or b.
  Status Subscribe(const std::string& topic, const std::string& tag_expression);
  void RegisterMessageListener(MessageListener listener);
  // Registers with the brokers and takes its first queues. Unavailable / NotFound when a
  // subscribed topic has no route; the consumer is then not started.
  Status Start();
  void Shutdown();

  // True once Shutdown has begun. From then on a consume not yet started is skipped and a
  // kReconsumeLater answer is not sent back: both leave the message unconsumed, so its offset
  // is not committed and it is delivered again (to this group) after a restart.
  bool stopping() const { return stopping_flag_.load(); }
  // Blocks until Shutdown begins. For a listener holding a message it must not consume (say,
  // a tool that has printed the N messages it was asked for): wait here, then answer
  // kReconsumeLater.
  void AwaitStopping() const;

  const std::string& client_id() const { return instance_.client_id(); }
  // The queues this consumer owns now, sorted.
  std::vector<MessageQueue> Assignment() const;
  // How many times flow control paused a queue's pulls, over all queues ever owned.
  int64_t flow_control_pause_count() const;
  // Messages the listener was called for (retries included).
  int64_t consumed_count() const { return consumed_count_.load(); }

 private:
  struct OwnedQueue {
    std::shared_ptr<ProcessQueue> process_queue;
    std::unique_ptr<QueuePullLoop> pull_loop;
  };

  explicit PushConsumer(const PushConsumerOptions& options);
  std::vector<std::string> Topics() const;
  void Heartbeat(bool unregister);
  Status Rebalance(const std::string& topic);
  void TakeQueue(const MessageQueue& queue);
  void ReleaseQueue(const MessageQueue& queue);
  bool ConsumerListChanged();
  void RunHousekeeping();
  void Dispatch(const MessageQueue& queue, const std::shared_ptr<ProcessQueue>& process_queue,
                std::vector<messaging::MessageExt> messages);
  void ConsumeOne(const MessageQueue& queue, const std::shared_ptr<ProcessQueue>& process_queue,
                  const messaging::MessageExt& message);
  ConsumeStatus CallListener(const MessageQueue& queue, const messaging::MessageExt& message);
  Status SendBack(const MessageQueue& queue, const messaging::MessageExt& message);

  const PushConsumerOptions options_;
  ClientInstance instance_;
  Rebalancer rebalancer_;
  std::unique_ptr<OffsetStore> offset_store_;
  std::unique_ptr<ThreadPool> consume_pool_;
  MessageListener listener_;
  std::map<std::string, std::string> subscriptions_;  // topic -> tag expression; fixed after Start

  mutable std::mutex mutex_;
  mutable std::condition_variable stop_cv_;
  bool started_ = false;                                   // guarded by mutex_
  bool stopping_ = false;                                  // guarded by mutex_
  std::map<MessageQueue, OwnedQueue> owned_;               // guarded by mutex_; changed by housekeeping only
  std::map<std::string, std::vector<std::string>> last_consumers_;  // by topic; housekeeping thread only
  int64_t retired_pause_count_ = 0;                        // guarded by mutex_: of released queues
  std::atomic<bool> stopping_flag_{false};                  // stopping_, readable without the mutex
  std::atomic<int64_t> consumed_count_{0};
  std::thread housekeeping_;
};

}  // namespace raftmq::client
