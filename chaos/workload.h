// Workload: what the cluster is asked to do while the nemeses run. Producers send unique
// numbered messages (the number is the body) to topic "chaos" — sync_senders threads with
// Send, one thread with SendAsync — at send_rate_per_s in all, and record every outcome:
// acknowledged (group, queue, offset), failed (a definite error) or unknown (timed out or
// unavailable: it may still have been stored). Push consumers of one group record every
// message they receive. At the end a fresh group drains every queue from its first offset
// (Drain), which is what the checker holds the acknowledgements against.
//
// Threading: Start, StopSending, StopConsumers and Drain from one thread, in that order.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chaos/history.h"
#include "chaos/options.h"
#include "chaos/run_clock.h"
#include "client/producer.h"
#include "client/pull_consumer.h"
#include "client/push_consumer.h"
#include "common/result.h"

namespace raftmq::chaos {

inline constexpr char kChaosTopic[] = "chaos";

class Workload {
 public:
  Workload(const ChaosOptions& options, std::string nameserver_address, const RunClock* clock, History* history);
  ~Workload();

  // Creates the topic on every group (retrying until `timeout_ms`), starts consumers and senders.
  Status Start(int64_t timeout_ms);
  // Stops the senders and waits for every async send's outcome.
  void StopSending();
  void StopConsumers();
  // Reads every queue of the topic from its first to its last offset with a fresh group;
  // Unavailable when some queue could not be read completely within `timeout_ms`.
  Status Drain(int64_t timeout_ms);

  // Sends started so far (for progress lines).
  uint64_t sent() const { return next_id_.load(); }

 private:
  Status CreateTopic(int64_t timeout_ms);
  // Sends one message per interval (Send, or SendAsync) until StopSending.
  void PacedLoop(int64_t interval_us, bool async);
  messaging::Message NextMessage(uint64_t* id);
  void RecordOutcome(uint64_t id, bool async, int64_t start_ms, const Result<client::SendReceipt>& receipt);
  Status DrainQueue(client::PullConsumer& consumer, const client::MessageQueue& queue, int64_t deadline_ms);

  const ChaosOptions options_;
  const std::string nameserver_address_;
  const RunClock* const clock_;
  History* const history_;
  std::unique_ptr<client::Producer> producer_;
  std::vector<std::unique_ptr<client::PushConsumer>> consumers_;
  std::vector<std::thread> senders_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{0};
};

}  // namespace raftmq::chaos
