// How long the dispatching thread (the Raft loop) stalls in Dispatcher::Dispatch when a
// checkpoint comes due with many dirty ConsumeQueues. Every entry is one message to the next
// queue round-robin, so every queue is dirty at each checkpoint (once a second). Prints the
// slowest Dispatch calls (the first round, which creates the queues, is not measured). Not part of ctest:
//   cmake --build build --target dispatcher_bench
//   ./build/storage/dispatcher_bench [queues=2000] [seconds=5] [dir=/var/tmp]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/assert.h"
#include "storage/dispatcher.h"
#include "storage/message_record.h"

namespace raftmq::storage {
namespace {

// Any kind will do: storage keeps kinds opaque (the broker's message batch kind is 2).
constexpr EntryKind kBatchKind{2};

std::string Payload(uint32_t queue_id) {
  Message message;
  message.topic = "BenchTopic";
  message.queue_id = queue_id;
  message.body = std::string(100, 'x');
  Result<std::string> payload = EncodeMessageBatch(std::span<const Message>(&message, 1));
  RMQ_ASSERT(payload.ok());
  return std::move(payload).value();
}

int Run(uint32_t queue_count, int seconds, const std::string& parent) {
  const std::string dir = parent + "/raftmq-dispatcher-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto meta = MetaStore::Open(dir + "/meta");
  RMQ_ASSERT(meta.ok());
  auto queues = ConsumeQueueStore::Open(DefaultFs(), dir, ConsumeQueueOptions{});
  RMQ_ASSERT(queues.ok());
  Dispatcher dispatcher(queues->get(), meta->get(), DispatcherOptions{.message_batch_kind = kBatchKind, .checkpoint_interval_entries = UINT64_MAX});
  struct EmptyLog final : CommitLogReader {
    Index FirstIndex() const override { return Index(1); }
    Index LastIndex() const override { return Index(0); }
    Result<Term> TermAt(Index) const override { return Status::NotFound("empty"); }
    Result<std::vector<LogEntry>> Entries(Index, Index, uint64_t) const override { return Status::NotFound("empty"); }
    Result<EntryLocation> Locate(Index) const override { return Status::NotFound("empty"); }
    Result<std::string> ReadAt(uint64_t, uint32_t) const override { return Status::NotFound("empty"); }
  } log;
  RMQ_ASSERT(dispatcher.Recover(log, Index(0)).ok());

  std::vector<std::string> payloads;
  for (uint32_t q = 0; q < queue_count; ++q) payloads.push_back(Payload(q));
  std::vector<double> stalls_ms;
  uint64_t position = 0;
  // The first round creates the queues (directory fsyncs): not measured.
  const uint64_t measured_from = queue_count + 1;
  auto end = std::chrono::steady_clock::time_point::max();
  for (uint64_t i = 1; std::chrono::steady_clock::now() < end; ++i) {
    if (i == measured_from) {
      RMQ_ASSERT(dispatcher.Checkpoint().ok());
      end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    }
    const std::string& payload = payloads[i % queue_count];
    LogEntry entry{.index = Index(i), .term = Term(1), .kind = kBatchKind, .payload = payload};
    EntryLocation location{.payload_position = position, .payload_size = static_cast<uint32_t>(payload.size())};
    position += payload.size() + 32;
    const auto started = std::chrono::steady_clock::now();
    RMQ_ASSERT(dispatcher.Dispatch(entry, location).ok());
    if (i >= measured_from) stalls_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  }
  RMQ_ASSERT(dispatcher.Close().ok());
  std::sort(stalls_ms.rbegin(), stalls_ms.rend());
  size_t over_10ms = static_cast<size_t>(std::count_if(stalls_ms.begin(), stalls_ms.end(), [](double ms) { return ms > 10; }));
  std::printf("queues %u, %zu dispatches in %d s; slowest Dispatch calls (ms):", queue_count, stalls_ms.size(), seconds);
  for (size_t i = 0; i < std::min<size_t>(8, stalls_ms.size()); ++i) std::printf(" %.1f", stalls_ms[i]);
  std::printf("; %zu calls over 10 ms\n", over_10ms);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace raftmq::storage

int main(int argc, char** argv) {
  const uint32_t queues = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 2000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string dir = argc > 3 ? argv[3] : "/var/tmp";
  return raftmq::storage::Run(queues, seconds, dir);
}
