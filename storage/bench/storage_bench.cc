// storage_bench: CommitLog append throughput against the raw disk it runs on.
//
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRAFTMQ_WITH_GRPC=OFF
//   cmake --build build-release --target storage_bench
//   RAFTMQ_BENCH_DIR=/path/on/the/disk build-release/storage/storage_bench
//
// Baselines in the same run: a plain sequential write loop (pwrite of the same sizes), the
// same with an fdatasync every 500 ms (what the async policy adds), and a pwrite + fdatasync
// loop. Each reports MB/s (bytes_per_second) and entries/s, over wall-clock time.
// Fairness: both sides write every byte to a real file and write it back to disk on the
// clock (the raw loop fdatasyncs before it cuts its 64 MiB file; CommitLog segments are
// 64 MiB and fsynced when they roll, before retention deletes them). Targets: async batch 64
// >= 70% of raw 64 with fdatasync:2; sync batch 64 >= 20x the entries/s of raw 1 fdatasync:1.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/commit_log.h"
#include "storage/crc32c.h"

namespace raftmq::storage {
namespace {

// Any kind will do: storage keeps kinds opaque (the broker's message batch kind is 2).
constexpr EntryKind kBatchKind{2};

constexpr size_t kEntryBytes = 1024;
// Files are cut back to empty past this size (after being written back), so a long run does
// not fill the disk.
constexpr uint64_t kFileBytesMax = uint64_t{64} << 20;

std::string BenchDir(const std::string& name) {
  const char* root = std::getenv("RAFTMQ_BENCH_DIR");
  std::string dir = std::string(root ? root : "/tmp") + "/raftmq_storage_bench_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void ReportRates(benchmark::State& state, uint64_t entries_per_iteration) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * entries_per_iteration * kEntryBytes));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * entries_per_iteration), benchmark::Counter::kIsRate);
}

enum class RawSync : int64_t { kNever = 0, kEveryWrite = 1, kEveryFlushInterval = 2 };

// Sequential pwrite of `range(0)` entries of 1 KiB per call; range(1) says when to
// fdatasync (RawSync): never, after every write, or every 500 ms like the async policy.
void BM_RawPwrite(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  const auto sync = static_cast<RawSync>(state.range(1));
  const auto flush_interval = std::chrono::milliseconds(CommitLogOptions{}.flush_interval_ms);
  std::string dir = BenchDir("pwrite");
  int fd = ::open((dir + "/data").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) state.SkipWithError("open failed");
  std::string block(entries * kEntryBytes, 'x');
  uint64_t offset = 0;
  auto last_sync = std::chrono::steady_clock::now();
  for (auto _ : state) {
    if (offset + block.size() > kFileBytesMax) {
      // Write the file back before cutting it, on the clock: a cut drops dirty pages the
      // kernel never wrote, which would let this loop skip the disk work CommitLog pays for
      // every byte (its segments are fsynced when they roll, before retention deletes them).
      if (::fdatasync(fd) != 0) state.SkipWithError("fdatasync failed");
      last_sync = std::chrono::steady_clock::now();
      state.PauseTiming();
      if (::ftruncate(fd, 0) != 0) state.SkipWithError("ftruncate failed");
      offset = 0;
      state.ResumeTiming();
    }
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(block.size())) {
      state.SkipWithError("pwrite failed");
      break;
    }
    bool due = sync == RawSync::kEveryWrite ||
               (sync == RawSync::kEveryFlushInterval && std::chrono::steady_clock::now() - last_sync >= flush_interval);
    if (due) {
      if (::fdatasync(fd) != 0) state.SkipWithError("fdatasync failed");
      last_sync = std::chrono::steady_clock::now();
    }
    offset += block.size();
  }
  ::close(fd);
  std::filesystem::remove_all(dir);
  ReportRates(state, entries);
}

// CommitLog::Append of range(0) entries of 1 KiB; policy range(1) (1 = sync, Sync() after
// every append); range(2) is bytes_per_sync in KiB (0 = off).
void BM_CommitLogAppend(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  const bool sync = state.range(1) != 0;
  std::string dir = BenchDir("commit_log");
  // Segments as long as the raw loop's files: both pay one fsync (and one cut) per 64 MiB.
  CommitLogOptions options{.dir = dir,
                           .segment_size_bytes = kFileBytesMax,
                           .flush_policy = sync ? FlushPolicy::kSync : FlushPolicy::kAsync,
                           .bytes_per_sync = static_cast<uint64_t>(state.range(2)) << 10};
  auto log = CommitLog::Open(DefaultFs(), options);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  std::vector<LogEntry> entries(batch);
  for (auto& entry : entries) entry = LogEntry{.term = Term(1), .kind = kBatchKind, .payload = std::string(kEntryBytes, 'x')};
  Index next(1);
  spdlog::set_level(spdlog::level::warn);  // retention's per-segment info lines
  uint64_t retained_at_position = 0;
  for (auto _ : state) {
    if ((*log)->EndPosition() - retained_at_position > kFileBytesMax) {
      state.PauseTiming();
      (void)(*log)->DeleteSegmentsBefore(next);  // bounded disk use, off the clock
      retained_at_position = (*log)->EndPosition();
      state.ResumeTiming();
    }
    for (auto& entry : entries) {
      entry.index = next;
      ++next;
    }
    Status status = (*log)->Append(entries);
    if (status.ok()) status = (*log)->Sync();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
  }
  log->reset();
  std::filesystem::remove_all(dir);
  ReportRates(state, batch);
}

// Real time, not CPU time: the point is the disk (and fsync waits burn no CPU).
BENCHMARK(BM_RawPwrite)->UseRealTime()->ArgNames({"entries", "fdatasync"})
    ->Args({1, 0})->Args({64, 0})->Args({1, 2})->Args({64, 2})->Args({1, 1})->Args({64, 1});
BENCHMARK(BM_CommitLogAppend)->UseRealTime()->ArgNames({"batch", "sync", "bytes_per_sync_kib"})
    ->Args({1, 0, 8192})->Args({64, 0, 0})->Args({64, 0, 1024})->Args({64, 0, 8192})->Args({1, 1, 8192})->Args({64, 1, 8192});

}  // namespace
}  // namespace raftmq::storage

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("crc32c", raftmq::storage::crc32c::IsHardwareAccelerated() ? "sse4.2" : "table");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
