// pull_latency_bench: the latency of one PullMessage that finds a message, served by the
// leader of a real 3-node group on loopback (tests/support/cluster.h): what a consumer waits
// per pull, read barrier (ReadIndex: one heartbeat round to a majority) included. Prints
// p50/p90/p99/max over N sequential pulls of the same message per puller, after a warm-up;
// with several pullers (threads pulling at once), their reads share heartbeat rounds.
//
//   cmake --build build --target pull_latency_bench && build/tests/e2e/pull_latency_bench [pulls] [pullers]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

constexpr int kWarmupPulls = 200;
constexpr auto kPullTimeout = std::chrono::milliseconds(5000);

// One puller's sequential pulls; the latencies after the warm-up, or empty on a failure.
std::vector<double> PullRepeatedly(messaging::MessagingService::Stub* leader, int pulls) {
  std::vector<double> micros;
  for (int pull = 0; pull < kWarmupPulls + pulls; ++pull) {
    messaging::PullMessageResponse response;
    const Clock::time_point started = Clock::now();
    ReadOutcome read = PullOnce(leader, "Latency", 0, 0, kPullTimeout, &response);
    const double elapsed = std::chrono::duration<double, std::micro>(Clock::now() - started).count();
    if (!read.status.ok() || response.messages_size() != 1) {
      std::fprintf(stderr, "pull %d: %s\n", pull, read.status.error_message().c_str());
      return {};
    }
    if (pull >= kWarmupPulls) micros.push_back(elapsed);
  }
  return micros;
}

int Run(int pulls, int pullers) {
  auto cluster = test_support::Cluster::Start({});
  if (!cluster.ok()) return std::fprintf(stderr, "%s\n", cluster.status().ToString().c_str()), 1;
  test_support::Cluster& group = **cluster;
  auto leader = group.WaitForLeader(1);
  if (!leader.ok() || !group.CreateTopic(1, "Latency", 1).ok()) return std::fprintf(stderr, "no leader\n"), 1;
  if (!SendText(group.Messaging(1, *leader), "Latency", 0, std::string(1024, 'x'), kPullTimeout).status.ok()) {
    return std::fprintf(stderr, "send failed\n"), 1;
  }
  std::vector<std::vector<double>> per_puller(static_cast<size_t>(pullers));
  std::vector<std::thread> threads;
  for (std::vector<double>& micros : per_puller) {
    threads.emplace_back([&, stub = group.Messaging(1, *leader)] { micros = PullRepeatedly(stub, pulls); });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<double> micros;
  for (const std::vector<double>& one : per_puller) {
    if (one.empty()) return 1;
    micros.insert(micros.end(), one.begin(), one.end());
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double quantile) { return micros[static_cast<size_t>(quantile * (micros.size() - 1))]; };
  std::printf("RESULT pull_latency pulls=%d pullers=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n", pulls,
              pullers, at(0.5), at(0.9), at(0.99), micros.back());
  return 0;
}

}  // namespace
}  // namespace raftmq::e2e

int main(int argc, char** argv) {
  return raftmq::e2e::Run(argc > 1 ? std::atoi(argv[1]) : 5000, argc > 2 ? std::max(1, std::atoi(argv[2])) : 1);
}
