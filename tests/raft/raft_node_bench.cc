// raft_node_bench: commit throughput and latency of three raft::Nodes over loopback gRPC with
// real CommitLogs and MetaStores (tests/raft/local_cluster.h). Each configuration runs a
// closed loop: `proposers` proposals are kept outstanding on the leader; each completion
// (the entry applied on the leader) records its latency and proposes the next.
//
//   raft_node_bench [seconds_per_run=5] [payload_bytes=1024]
//
// Prints one line per (flush policy, proposers): entries/s, MiB/s, p50/p99/max latency.
// Not a ctest: timings depend on the machine.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "tests/raft/local_cluster.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct RunResult {
  uint64_t entries = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
};

// Keeps `proposers` proposals in flight until `deadline`; completions re-propose from the
// node's loop thread.
class ClosedLoop {
 public:
  ClosedLoop(Node* leader, std::string payload, Clock::time_point deadline)
      : leader_(leader), payload_(std::move(payload)), deadline_(deadline) {}

  void Start(size_t proposers) {
    outstanding_ = proposers;
    for (size_t i = 0; i < proposers; ++i) ProposeOne();
  }
  RunResult Wait(Clock::time_point started) {
    done_.get_future().wait();
    RunResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::lock_guard lock(mutex_);
    result.entries = latencies_us_.size();
    result.latencies_us = std::move(latencies_us_);
    return result;
  }
  uint64_t failures() const { return failures_.load(); }

 private:
  void ProposeOne() {
    const Clock::time_point sent = Clock::now();
    leader_->Propose(kApplicationEntry, payload_, [this, sent](ProposalOutcome outcome) {
      const Clock::time_point now = Clock::now();
      if (outcome.status.ok()) {
        std::lock_guard lock(mutex_);
        latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - sent).count());
      } else {
        failures_ += 1;
      }
      if (now < deadline_ && outcome.status.ok()) return ProposeOne();
      if (--outstanding_ == 0) done_.set_value();
    });
  }

  Node* const leader_;
  const std::string payload_;
  const Clock::time_point deadline_;
  std::atomic<size_t> outstanding_{0};
  std::atomic<uint64_t> failures_{0};
  std::promise<void> done_;
  std::mutex mutex_;
  std::vector<double> latencies_us_;
};

double Percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const size_t rank = std::min(values.size() - 1, static_cast<size_t>(fraction * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

int RunOne(storage::FlushPolicy policy, size_t proposers, double seconds, size_t payload_bytes) {
  LocalClusterOptions options;
  options.flush_policy = policy;
  LocalCluster cluster(options);
  for (NodeId id = 1; id <= 3; ++id) {
    if (Status status = cluster.StartMember(id); !status.ok()) {
      std::fprintf(stderr, "start node %llu: %s\n", static_cast<unsigned long long>(id), status.ToString().c_str());
      return 1;
    }
  }
  const NodeId leader = cluster.WaitForLeader(std::chrono::seconds(10));
  if (leader == kNoNode) {
    std::fprintf(stderr, "no leader within 10 s\n");
    return 1;
  }
  const Clock::time_point started = Clock::now();
  ClosedLoop loop(cluster.node(leader), std::string(payload_bytes, 'p'),
                  started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
  loop.Start(proposers);
  RunResult result = loop.Wait(started);
  // Joins every loop thread, so no completion is still running when `loop` goes away.
  for (NodeId id = 1; id <= 3; ++id) cluster.HardStopMember(id);
  const double rate = static_cast<double>(result.entries) / result.seconds;
  const double p50 = Percentile(result.latencies_us, 0.50);
  const double p99 = Percentile(result.latencies_us, 0.99);
  const double max = result.latencies_us.empty() ? 0 : *std::max_element(result.latencies_us.begin(), result.latencies_us.end());
  std::printf("flush=%-5s proposers=%-3zu entries=%-8llu %9.0f entries/s %7.1f MiB/s  p50=%8.0f us  p99=%8.0f us  max=%8.0f us  failed=%llu\n",
              policy == storage::FlushPolicy::kSync ? "sync" : "async", proposers,
              static_cast<unsigned long long>(result.entries), rate, rate * static_cast<double>(payload_bytes) / (1 << 20), p50,
              p99, max, static_cast<unsigned long long>(loop.failures()));
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace raftmq::raft::testing

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  const size_t payload_bytes = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 1024;
  using raftmq::storage::FlushPolicy;
  int failed = 0;
  for (FlushPolicy policy : {FlushPolicy::kAsync, FlushPolicy::kSync}) {
    for (size_t proposers : {size_t{1}, size_t{64}}) {
      failed |= raftmq::raft::testing::RunOne(policy, proposers, seconds, payload_bytes);
    }
  }
  return failed;
}
