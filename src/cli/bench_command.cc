// `raftmq bench [--topic T] [--queues Q] [--size BYTES] [--sync N] [--async N] [--window W]
// [--warmup N]`: the scenarios of ../shared/peers (NATS JetStream R3, RabbitMQ quorum
// queues), so the numbers compare line for line when run in the same session:
//   warm-up  N sends, not measured;
//   sync     N sends, each waiting for its ack: msgs/s and publish-to-ack p50/p99;
//   async    N sends with at most W unacknowledged: msgs/s and MB/s of acked payload;
//   consume  one pull consumer drains the topic (every queue, 1024 per pull): msgs/s.
// Each phase prints `[bench] <phase>: wall= machine_cpu_busy= client_cpu=` and progress every
// second on stderr; the last line is `RESULT raftmq sync_msgs_s= ... errors=`.
// The topic (default bench-<unix seconds>) is created with Q queues per group when missing.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli/cli_context.h"
#include "client/admin.h"
#include "client/producer.h"
#include "client/pull_consumer.h"

namespace raftmq::cli {
namespace {

struct BenchFlags {
  std::string topic;
  int32_t queues = 8;
  int64_t size_bytes = 1024;
  int64_t warmup = 2000;
  int64_t sync_n = 20000;
  int64_t async_n = 200000;
  int32_t window = 512;
};

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Busy and total jiffies of the whole machine (/proc/stat), and this process's CPU seconds.
struct CpuSample {
  uint64_t busy = 0;
  uint64_t total = 0;
  double process_seconds = 0;

  static CpuSample Now() {
    CpuSample sample;
    std::ifstream stat("/proc/stat");
    std::string cpu;
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    sample.busy = user + nice + system + irq + softirq + steal;
    sample.total = sample.busy + idle + iowait;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    sample.process_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                             static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    return sample;
  }
};

// Times one phase and prints the peers' `[bench]` line for it.
class Phase {
 public:
  explicit Phase(std::string name) : name_(std::move(name)), start_(Clock::now()), cpu_(CpuSample::Now()) {}
  int64_t elapsed_ms() const { return std::max<int64_t>(1, MsSince(start_)); }
  void Report() const {
    const CpuSample now = CpuSample::Now();
    const double total = static_cast<double>(now.total - cpu_.total);
    const double busy = total > 0 ? 100.0 * static_cast<double>(now.busy - cpu_.busy) / total : 0;
    std::fprintf(stderr, "[bench] %s: wall=%.2fs machine_cpu_busy=%.0f%% client_cpu=%.2fs\n", name_.c_str(),
                 static_cast<double>(elapsed_ms()) / 1000.0, busy, now.process_seconds - cpu_.process_seconds);
  }
  // Progress on stderr at most once a second.
  void Progress(int64_t done, int64_t total) {
    if (MsSince(start_) < next_progress_ms_) return;
    next_progress_ms_ += 1000;
    std::fprintf(stderr, "[bench] %s: %lld/%lld\n", name_.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total));
  }

 private:
  std::string name_;
  Clock::time_point start_;
  CpuSample cpu_;
  int64_t next_progress_ms_ = 1000;
};

messaging::Message Payload(const std::string& topic, int64_t size_bytes) {
  messaging::Message message;
  message.set_topic(topic);
  message.set_body(GeneratedBody(size_bytes));
  return message;
}

Status EnsureTopic(const client::ClientOptions& options, const BenchFlags& flags) {
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<client::Admin> admin, client::Admin::Create(options));
  admin::TopicConfig config;
  config.set_name(flags.topic);
  config.set_read_queue_nums(flags.queues);
  config.set_write_queue_nums(flags.queues);
  config.set_perm(admin::PERM_READ | admin::PERM_WRITE);
  auto created = admin->CreateTopic(config, {});
  if (!created.ok() && !created.status().IsAlreadyExists()) return created.status();
  // Brokers register a new topic with the nameservers at once, but asynchronously: wait
  // until the route lists the topic so the first sends find it. The probe fetches the route
  // on every poll: a route cached from a poll that saw only some groups would hide the rest.
  constexpr auto kRoutePoll = std::chrono::milliseconds(50);
  client::ClientOptions probe_options = options;
  probe_options.poll_name_server_interval_ms = 1;
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<client::PullConsumer> probe,
                       client::PullConsumer::Create({.client = probe_options, .consumer_group = "raftmq-bench"}));
  constexpr auto kRouteWait = std::chrono::seconds(10);
  const auto deadline = Clock::now() + kRouteWait;
  while (true) {
    auto queues = probe->FetchQueues(flags.topic);
    if (queues.ok() && (!created.ok() || queues->size() >= created->size() * static_cast<size_t>(flags.queues))) {
      return Status::Ok();
    }
    if (Clock::now() >= deadline) {
      return Status::Unavailable("the nameserver does not route topic '" + flags.topic + "' 10 s after its creation");
    }
    std::this_thread::sleep_for(kRoutePoll);
  }
}

// Sync sends; fills `latencies_us` (sorted). Returns the errors.
int64_t RunSync(client::Producer& producer, const messaging::Message& message, int64_t count, Phase* phase,
                std::vector<int64_t>* latencies_us) {
  int64_t errors = 0;
  for (int64_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    if (!producer.Send(message).ok()) ++errors;
    latencies_us->push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
    if (phase != nullptr) phase->Progress(i + 1, count);
  }
  std::sort(latencies_us->begin(), latencies_us->end());
  return errors;
}

// Async sends with at most `window` unacknowledged. Returns the errors.
int64_t RunAsync(client::Producer& producer, const messaging::Message& message, int64_t count, int32_t window,
                 Phase* phase) {
  std::mutex mutex;
  std::condition_variable acked_cv;
  int64_t outstanding = 0;
  int64_t completed = 0;
  int64_t errors = 0;
  for (int64_t i = 0; i < count; ++i) {
    {
      std::unique_lock lock(mutex);
      acked_cv.wait(lock, [&] { return outstanding < window; });
      ++outstanding;
    }
    producer.SendAsync(message, [&](const Result<client::SendReceipt>& receipt) {
      std::lock_guard lock(mutex);
      --outstanding;
      ++completed;
      if (!receipt.ok()) ++errors;
      acked_cv.notify_all();
    });
    std::lock_guard lock(mutex);
    phase->Progress(completed, count);
  }
  std::unique_lock lock(mutex);
  while (!acked_cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return completed == count; })) {
    phase->Progress(completed, count);
  }
  return errors;
}

// Drains every queue of the topic from its min offset, one thread per queue (past what
// retention deletes meanwhile). Returns the messages read, or the first error.
Result<int64_t> RunConsume(const client::ClientOptions& options, const std::string& topic, Phase* phase) {
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<client::PullConsumer> consumer,
                       client::PullConsumer::Create({.client = options, .consumer_group = "raftmq-bench"}));
  RMQ_ASSIGN_OR_RETURN(std::vector<client::MessageQueue> queues, consumer->FetchQueues(topic));
  std::atomic<int64_t> consumed{0};
  std::atomic<size_t> running{queues.size()};
  std::mutex error_mutex;
  Status first_error;  // guarded by error_mutex
  std::vector<std::thread> threads;
  for (const client::MessageQueue& queue : queues) {
    threads.emplace_back([&, queue] {
      auto bounds = consumer->Bounds(queue);
      Status status = bounds.status();
      for (int64_t offset = bounds.ok() ? bounds->min_offset : 0; status.ok() && offset < bounds->max_offset;) {
        constexpr int32_t kPullMessagesMax = 1024;
        auto pulled = consumer->Pull(queue, offset, kPullMessagesMax);
        if (!pulled.ok()) {
          status = pulled.status();
        } else if (pulled->outcome == client::PullResult::Outcome::kOffsetIllegal && pulled->min_offset > offset) {
          offset = pulled->min_offset;  // retention deleted what was left to drain: go on from its min offset
        } else if (pulled->outcome != client::PullResult::Outcome::kFound) {
          status = Status::Corruption("queue " + queue.ToString() + " ended at " + std::to_string(offset) +
                                    " before its max offset " + std::to_string(bounds->max_offset));
        } else {
          consumed += static_cast<int64_t>(pulled->messages.size());
          offset = pulled->next_offset;
        }
      }
      if (status.ok()) status = consumer->CommitOffset(queue, bounds->max_offset);
      if (!status.ok()) {
        std::lock_guard lock(error_mutex);
        if (first_error.ok()) first_error = status;
      }
      --running;
    });
  }
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    phase->Progress(consumed.load(), consumed.load());
  }
  for (std::thread& thread : threads) thread.join();
  if (!first_error.ok()) return first_error;
  return consumed.load();
}

int RunBench(const GlobalOptions& global, BenchFlags flags) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  if (flags.topic.empty()) {
    flags.topic = "bench-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
  }
  if (Status ensured = EnsureTopic(*options, flags); !ensured.ok()) return Fail(ensured);
  client::ProducerOptions producer_options;
  producer_options.client = *options;
  // RunAsync keeps the window itself; the producer must not cap it lower.
  producer_options.async_send_queue_max = flags.window;
  auto producer = client::Producer::Create(producer_options);
  if (!producer.ok()) return Fail(producer.status());
  const messaging::Message message = Payload(flags.topic, flags.size_bytes);

  std::fprintf(stderr, "[bench] topic %s, %d queues per group, %lld-byte messages\n", flags.topic.c_str(),
               flags.queues, static_cast<long long>(flags.size_bytes));
  std::vector<int64_t> ignored;
  int64_t errors = RunSync(**producer, message, flags.warmup, nullptr, &ignored);

  Phase sync("sync");
  std::vector<int64_t> latencies_us;
  errors += RunSync(**producer, message, flags.sync_n, &sync, &latencies_us);
  sync.Report();
  const int64_t sync_ms = sync.elapsed_ms();

  Phase async("async");
  errors += RunAsync(**producer, message, flags.async_n, flags.window, &async);
  async.Report();
  const int64_t async_ms = async.elapsed_ms();

  Phase consume("consume");
  auto consumed = RunConsume(*options, flags.topic, &consume);
  consume.Report();
  if (!consumed.ok()) return Fail(consumed.status().WithContext("consume phase"));

  auto percentile = [&](double p) {
    return latencies_us.empty() ? 0 : latencies_us[static_cast<size_t>(p * static_cast<double>(latencies_us.size() - 1))];
  };
  char line[512];
  std::snprintf(line, sizeof(line),
                "RESULT raftmq sync_msgs_s=%.0f sync_p50_us=%lld sync_p99_us=%lld async_msgs_s=%.0f async_MBps=%.1f "
                "consume_msgs_s=%.0f sync_n=%lld async_n=%lld consume_n=%lld window=%d errors=%lld",
                static_cast<double>(flags.sync_n) * 1000.0 / static_cast<double>(sync_ms),
                static_cast<long long>(percentile(0.50)), static_cast<long long>(percentile(0.99)),
                static_cast<double>(flags.async_n) * 1000.0 / static_cast<double>(async_ms),
                static_cast<double>(flags.async_n * flags.size_bytes) / 1e3 / static_cast<double>(async_ms),
                static_cast<double>(*consumed) * 1000.0 / static_cast<double>(consume.elapsed_ms()),
                static_cast<long long>(flags.sync_n), static_cast<long long>(flags.async_n),
                static_cast<long long>(*consumed), flags.window, static_cast<long long>(errors));
  PrintLine(line);
  return errors == 0 ? kExitOk : Fail(std::to_string(errors) + " sends failed");
}

}  // namespace

void AddBenchCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* bench = app.add_subcommand("bench", "measure send and consume throughput (the peers' scenarios)");
  bench->add_option("--topic", flags->topic, "topic to use (created when missing; default bench-<unix seconds>)");
  bench->add_option("--queues", flags->queues, "queues per group when the topic is created")->check(CLI::Range(1, 1024));
  bench->add_option("--size", flags->size_bytes, "message body bytes")->check(CLI::Range(1, 4 << 20));
  bench->add_option("--warmup", flags->warmup, "sync sends before measuring")->check(CLI::NonNegativeNumber);
  bench->add_option("--sync", flags->sync_n, "sync sends measured")->check(CLI::NonNegativeNumber);
  bench->add_option("--async", flags->async_n, "async sends measured")->check(CLI::NonNegativeNumber);
  bench->add_option("--window", flags->window, "most async sends unacknowledged")->check(CLI::Range(1, 4096));
  bench->callback([&global, flags, action] { *action = [&global, flags] { return RunBench(global, *flags); }; });
}

}  // namespace raftmq::cli
