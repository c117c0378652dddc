// A seeded random walk over appends, truncations, retention, flushes, crashes and reopens,
// checked against a plain in-memory model of the log. Seeded, so every run of ctest walks the
// same paths: seeds kFirstSeed .. kFirstSeed + kRunsWithoutSeed - 1 unless RAFTMQ_SEED=<n>
// names one; each run prints its seed, and RAFTMQ_SEED=<n> replays it exactly.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <random>

#include "storage/commit_log.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

constexpr int kStepsPerRun = 250;
constexpr int kRunsWithoutSeed = 4;
constexpr uint64_t kFirstSeed = 1;

class ModelRun {
 public:
  explicit ModelRun(uint64_t seed) : random_(seed), fs_(DefaultFs()) {
    options_ = CommitLogOptions{.dir = dir_.path() + "/log", .segment_size_bytes = 512 + random_() % 1024,
                                .flush_policy = random_() % 2 ? FlushPolicy::kSync : FlushPolicy::kAsync,
                                .flush_interval_ms = 60'000, .index_entries_per_file = 1 + random_() % 20,
                                .read_chunk_bytes = 64 + random_() % 512};
  }

  void Run() {
    Reopen();
    for (int step = 0; step < kStepsPerRun && !::testing::Test::HasFatalFailure(); ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      uint64_t dice = random_() % 100;
      if (trace_) std::printf("step %d dice %llu first %llu last %llu durable %llu applied %llu\n", step,
                              static_cast<unsigned long long>(dice), static_cast<unsigned long long>(first_),
                              static_cast<unsigned long long>(Last()), static_cast<unsigned long long>(durable_),
                              static_cast<unsigned long long>(applied_));
      if (dice < 50) Append();
      else if (dice < 60) Truncate();
      else if (dice < 70) Durable();
      else if (dice < 75) Retain();
      else if (dice < 82) CrashAndReopen();
      else if (dice < 85) Reopen();
      else Check();
    }
    Check();
  }

 private:
  uint64_t Last() const { return first_ + entries_.size() - 1; }

  void Append() {
    size_t count = 1 + random_() % 5;
    std::vector<LogEntry> batch;
    for (size_t i = 0; i < count; ++i) {
      if (random_() % 8 == 0) ++term_;
      batch.push_back(MakeEntry(Last() + 1 + i, term_, random_() % 300));
    }
    ASSERT_TRUE(log_->Append(batch).ok());
    entries_.insert(entries_.end(), batch.begin(), batch.end());
  }

  void Truncate() {
    uint64_t low = std::max(applied_, first_ - 1);
    uint64_t last_kept = low + random_() % (Last() - low + 1);
    ASSERT_TRUE(log_->TruncateSuffix(Index(last_kept)).ok());
    if (last_kept < Last()) durable_ = last_kept;  // a real truncation flushes first
    entries_.resize(last_kept + 1 - first_);
  }

  void Durable() {
    bool flush = random_() % 2 == 0;
    ASSERT_TRUE((flush ? log_->Flush() : log_->Sync()).ok());
    if (flush || options_.flush_policy == FlushPolicy::kSync) durable_ = Last();
    // The log may know more is durable (a roll syncs); from here on it is held to its word.
    ASSERT_LE(Index(durable_), log_->DurableIndex());
    ASSERT_LE(log_->DurableIndex(), Index(Last()));
    durable_ = log_->DurableIndex().value();
    if (durable_ >= first_) applied_ = std::max(applied_, first_ + random_() % (durable_ - first_ + 1));
  }

  void Retain() {
    auto deleted = log_->DeleteSegmentsBefore(Index(applied_ + 1));
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    if (applied_ + 1 > first_) durable_ = Last();  // retention flushes first (unless it has nothing to do)
    uint64_t first = log_->FirstIndex().value();
    ASSERT_GE(first, first_);
    ASSERT_LE(first, std::max(first_, applied_ + 1));
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(first - first_));
    first_ = first;
  }

  void CrashAndReopen() {
    uint64_t kept = random_() % 3 == 0 ? 0 : random_() % 2000;
    fs_.Crash({.unsynced_bytes_kept = kept});
    spdlog::set_level(spdlog::level::off);  // the dead log's complaints are expected
    log_.reset();
    spdlog::set_level(spdlog::level::info);
    fs_.Restart();
    uint64_t durable = durable_;
    Reopen();
    uint64_t last = log_->LastIndex().value();
    ASSERT_GE(last, durable) << "lost a durable entry";
    ASSERT_LE(last, Last()) << "invented an entry";
    ASSERT_EQ(Index(first_), log_->FirstIndex());
    entries_.resize(last + 1 - first_);
    Check();
  }

  void Reopen() {
    log_.reset();
    auto log = CommitLog::Open(&fs_, options_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    durable_ = log_->LastIndex().value();  // Open flushes
  }

  void Check() {
    ASSERT_EQ(Index(first_), log_->FirstIndex());
    ASSERT_EQ(Index(Last()), log_->LastIndex());
    if (entries_.empty()) return;
    auto all = log_->Entries(Index(first_), Index(Last() + 1), UINT64_MAX);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(entries_, *all);
    uint64_t probe = first_ + random_() % entries_.size();
    const LogEntry& expected = entries_[probe - first_];
    ASSERT_EQ(expected.term, *log_->TermAt(Index(probe)));
    auto location = log_->Locate(Index(probe));
    ASSERT_TRUE(location.ok());
    ASSERT_EQ(expected.payload, *log_->ReadAt(location->payload_position, location->payload_size));
  }

  const bool trace_ = std::getenv("RAFTMQ_MODEL_TRACE") != nullptr;  // prints every step
  std::mt19937_64 random_;
  TempDir dir_;
  FaultFs fs_;
  CommitLogOptions options_;
  std::unique_ptr<CommitLog> log_;
  std::vector<LogEntry> entries_;  // [first_, Last()]
  uint64_t first_ = 1;
  uint64_t term_ = 1;
  uint64_t durable_ = 0;  // a crash may not lose entries up to here
  uint64_t applied_ = 0;  // truncation never goes below, retention keeps what is after it
};

TEST(CommitLogModel, RandomOperationsMatchAnInMemoryModelAcrossCrashes) {
  std::vector<uint64_t> seeds;
  if (const char* seed = std::getenv("RAFTMQ_SEED")) {
    seeds.push_back(std::strtoull(seed, nullptr, 10));
  } else {
    for (int i = 0; i < kRunsWithoutSeed; ++i) seeds.push_back(kFirstSeed + static_cast<uint64_t>(i));
  }
  for (uint64_t seed : seeds) {
    std::printf("CommitLogModel: RAFTMQ_SEED=%llu\n", static_cast<unsigned long long>(seed));
    SCOPED_TRACE("replay with RAFTMQ_SEED=" + std::to_string(seed));
    ModelRun(seed).Run();
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace raftmq::storage
