// ConsumeQueue micro-benchmarks: append (the Dispatcher's path) and lookup by offset (the Pull
// path), on the real file system in a temp dir. Not part of ctest; run from a Release build:
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRAFTMQ_WITH_GRPC=OFF
//   cmake --build build-release --target consume_queue_bench
//   ./build-release/storage/consume_queue_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/assert.h"
#include "storage/consume_queue.h"

namespace raftmq::storage {
namespace {

constexpr uint64_t kPrefilledEntries = 1'000'000;  // 20 MB over 4 files of 300,000 entries

std::string BenchDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("raftmq-bench-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::vector<ConsumeQueueEntry> Entries(uint64_t first, size_t count) {
  std::vector<ConsumeQueueEntry> entries;
  for (uint64_t offset = first; offset < first + count; ++offset) {
    entries.push_back(ConsumeQueueEntry{offset * 256, 200, TagHash("TagA")});
  }
  return entries;
}

std::unique_ptr<ConsumeQueue> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<ConsumeQueue>> queue = ConsumeQueue::Open(DefaultFs(), dir, ConsumeQueueOptions{});
  RMQ_ASSERT(queue.ok());
  return std::move(queue).value();
}

// One prefilled queue shared by the lookup benchmarks (and their threads).
ConsumeQueue& Prefilled() {
  static std::unique_ptr<ConsumeQueue> queue = [] {
    std::unique_ptr<ConsumeQueue> q = OpenOrDie(BenchDir("prefilled"));
    constexpr size_t kBatch = 10'000;
    for (uint64_t offset = 0; offset < kPrefilledEntries; offset += kBatch) {
      RMQ_ASSERT(q->Append(offset, Entries(offset, kBatch)).ok());
    }
    RMQ_ASSERT(q->Sync().ok());
    return q;
  }();
  return *queue;
}

void BM_Append(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  std::unique_ptr<ConsumeQueue> queue = OpenOrDie(BenchDir("append"));
  const std::vector<ConsumeQueueEntry> entries = Entries(0, batch);
  for (auto _ : state) {
    Status status = queue->Append(queue->MaxOffset(), entries);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_Append)->Arg(1)->Arg(32)->Arg(256);

void BM_GetSequential(benchmark::State& state) {
  ConsumeQueue& queue = Prefilled();
  uint64_t offset = 0;
  for (auto _ : state) {
    Result<ConsumeQueueEntry> entry = queue.Get(offset);
    benchmark::DoNotOptimize(entry);
    offset = offset + 1 == kPrefilledEntries ? 0 : offset + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetSequential)->Threads(1)->Threads(2);

void BM_GetRandom(benchmark::State& state) {
  ConsumeQueue& queue = Prefilled();
  std::mt19937_64 random(state.thread_index());
  for (auto _ : state) {
    Result<ConsumeQueueEntry> entry = queue.Get(random() % kPrefilledEntries);
    benchmark::DoNotOptimize(entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetRandom)->Threads(1)->Threads(2);

// A Pull of 32 messages reads its ConsumeQueue entries with one Read.
void BM_Read32(benchmark::State& state) {
  ConsumeQueue& queue = Prefilled();
  std::mt19937_64 random(state.thread_index());
  for (auto _ : state) {
    Result<std::vector<ConsumeQueueEntry>> entries = queue.Read(random() % (kPrefilledEntries - 32), 32);
    benchmark::DoNotOptimize(entries);
  }
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(BM_Read32);

}  // namespace
}  // namespace raftmq::storage

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const char* name : {"append", "prefilled"}) {
    std::filesystem::remove_all(std::filesystem::temp_directory_path() / (std::string("raftmq-bench-") + name));
  }
  return 0;
}
