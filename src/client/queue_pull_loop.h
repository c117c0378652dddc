// QueuePullLoop: a push consumer's pull loop for one assigned queue, on its own thread. It
// long-polls the queue's group leader from the ProcessQueue's next offset, caches what it
// gets and hands it to `dispatch` (the consume pool); it pauses while the ProcessQueue is over
// a flow-control limit and resumes when consumption brings it back under (an event, no
// polling). An illegal offset is moved into the queue's [min, max]; other errors back off
// pull_time_delay_ms_when_exception.
//
// Thread-safety: Stop from any one thread; the loop's thread is internal.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/broker_client.h"
#include "client/client_options.h"
#include "client/message_queue.h"
#include "client/offset_store.h"
#include "client/process_queue.h"
#include "proto/messaging.pb.h"

namespace raftmq::client {

class QueuePullLoop {
 public:
  using Dispatch = std::function<void(const MessageQueue& queue, const std::shared_ptr<ProcessQueue>& process_queue,
                                      std::vector<messaging::MessageExt> messages)>;

  // Starts pulling. Every pointer must outlive the loop.
  QueuePullLoop(BrokerClient* brokers, const PushConsumerOptions* options, OffsetStore* store, MessageQueue queue,
                std::string tag_expression, std::shared_ptr<ProcessQueue> process_queue, Dispatch dispatch);
  ~QueuePullLoop();

  QueuePullLoop(const QueuePullLoop&) = delete;
  QueuePullLoop& operator=(const QueuePullLoop&) = delete;

  // Cuts a held pull short and joins the thread; the ProcessQueue's pulling is stopped.
  void Stop();
  // How many times flow control paused this queue's pulls.
  int64_t pause_count() const { return pause_count_.load(); }

 private:
  void Run();
  void PullOnce();
  // After an OUT_OF_RANGE: continues at the nearest end of [min_offset, max_offset] the broker named.
  void MoveIntoRange(int64_t min_offset, int64_t max_offset);

  BrokerClient* const brokers_;
  const PushConsumerOptions* const options_;
  OffsetStore* const store_;
  const MessageQueue queue_;
  const std::string tag_expression_;
  const std::shared_ptr<ProcessQueue> process_queue_;
  const Dispatch dispatch_;
  CallCanceller canceller_;
  std::atomic<int64_t> pause_count_{0};
  std::thread thread_;
};

}  // namespace raftmq::client
