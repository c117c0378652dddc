// storage_bench: CommitLog append throughput against the raw disk it runs on.
//
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRAFTMQ_WITH_GRPC=OFF
//   cmake --build build-release --target storage_bench
//   RAFTMQ_BENCH_DIR=/path/on/the/disk build-release/storage/storage_bench
//
// Baselines in the same run: a plain sequential write loop (pwrite of the same sizes) and a
// pwrite + fdatasync loop. Each reports MB/s (bytes_per_second) and entries/s.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/commit_log.h"

namespace raftmq::storage {
namespace {

constexpr size_t kEntryBytes = 1024;
// Files are cut back to empty past this size, so a long run does not fill the disk.
constexpr uint64_t kFileBytesMax = uint64_t{512} << 20;

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

// Sequential pwrite of `range(0)` entries of 1 KiB per call; fdatasync after each if range(1).
void BM_RawPwrite(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  const bool sync = state.range(1) != 0;
  std::string dir = BenchDir("pwrite");
  int fd = ::open((dir + "/data").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) state.SkipWithError("open failed");
  std::string block(entries * kEntryBytes, 'x');
  uint64_t offset = 0;
  for (auto _ : state) {
    if (offset + block.size() > kFileBytesMax) {
      state.PauseTiming();
      if (::ftruncate(fd, 0) != 0) state.SkipWithError("ftruncate failed");
      offset = 0;
      state.ResumeTiming();
    }
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(block.size())) {
      state.SkipWithError("pwrite failed");
      break;
    }
    if (sync && ::fdatasync(fd) != 0) state.SkipWithError("fdatasync failed");
    offset += block.size();
  }
  ::close(fd);
  std::filesystem::remove_all(dir);
  ReportRates(state, entries);
}

// CommitLog::Append of range(0) entries of 1 KiB; policy range(1) (1 = sync, Sync() after
// every append).
void BM_CommitLogAppend(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  const bool sync = state.range(1) != 0;
  std::string dir = BenchDir("commit_log");
  CommitLogOptions options{.dir = dir,
                           .segment_size_bytes = uint64_t{128} << 20,
                           .flush_policy = sync ? FlushPolicy::kSync : FlushPolicy::kAsync};
  auto log = CommitLog::Open(DefaultFs(), options);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  std::vector<LogEntry> entries(batch);
  for (auto& entry : entries) entry = LogEntry{.term = Term(1), .type = EntryType::kMessageBatch, .payload = std::string(kEntryBytes, 'x')};
  Index next(1);
  for (auto _ : state) {
    if ((*log)->EndPosition() > kFileBytesMax) {
      state.PauseTiming();
      (void)(*log)->DeleteExpiredSegments(INT64_MAX, next);  // bounded disk use, off the clock
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

BENCHMARK(BM_RawPwrite)->ArgNames({"entries", "fdatasync"})->Args({1, 0})->Args({64, 0})->Args({1, 1})->Args({64, 1});
BENCHMARK(BM_CommitLogAppend)->ArgNames({"batch", "sync"})->Args({1, 0})->Args({64, 0})->Args({1, 1})->Args({64, 1});

}  // namespace
}  // namespace raftmq::storage

BENCHMARK_MAIN();
