// raftmq-chaos: starts a cluster (Topology), runs the workload, injects the seeded schedule of
// faults, heals everything, drains, checks, and writes the report. Exit status: 0 when every
// invariant held, 1 when one broke (a lost message, diverged logs, a node that would not come
// back), 2 on bad usage or when the cluster could not be set up. chaos/run.sh is the front end.
//
// SIGINT/SIGTERM stop the schedule early; the run still heals, checks and cleans up.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "chaos/checker.h"
#include "chaos/convergence.h"
#include "chaos/node_probe.h"
#include "chaos/process.h"
#include "chaos/report.h"
#include "chaos/schedule.h"
#include "chaos/topology.h"
#include "chaos/workload.h"

namespace raftmq::chaos {
namespace {

constexpr int64_t kLeaderWaitMs = 60000;
constexpr int64_t kDrainTimeoutMs = 120000;
constexpr int64_t kPushSettleMs = 5000;

std::atomic<bool> g_stop{false};

// Signals are blocked in every thread and taken here, so the run can clean up on Ctrl-C.
void WatchSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
  std::fprintf(stderr, "raftmq-chaos: signal %d: stopping the schedule, healing and cleaning up\n", signal);
  g_stop.store(true);
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::vector<ProbedNode> ProbedNodes(const Topology& topology) {
  std::vector<ProbedNode> nodes;
  for (const ChaosNode& node : topology.nodes()) nodes.push_back({node.name, node.group, node.address});
  return nodes;
}

bool UsesAny(const ChaosOptions& options, bool (*predicate)(const std::string&)) {
  for (const std::string& kind : options.nemeses) {
    if (predicate(kind)) return true;
  }
  return false;
}

int Run(const ChaosOptions& options) {
  std::error_code error;
  if (std::filesystem::exists(options.out_dir) && !std::filesystem::is_empty(options.out_dir, error)) {
    std::fprintf(stderr, "raftmq-chaos: --out %s is not empty (a run's data would mix with another's)\n",
                 options.out_dir.c_str());
    return 2;
  }
  std::filesystem::create_directories(options.out_dir);
  SetCommandLog(options.out_dir + "/commands.log");
  // The client library's retries, redirects and rebalances go to client.log: they would drown
  // the progress lines, and they are what explains a long stretch without an acknowledgement.
  auto client_log = spdlog::basic_logger_mt("client", options.out_dir + "/client.log");
  client_log->set_level(spdlog::level::debug);
  client_log->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(client_log);
  const std::vector<PlannedFault> plan = PlanSchedule(options);
  std::printf("raftmq-chaos: seed %llu, %zu faults planned over %lld s, report in %s\n%s",
              static_cast<unsigned long long>(options.seed), plan.size(), static_cast<long long>(options.duration_s),
              options.out_dir.c_str(), DescribeSchedule(plan).c_str());
  std::fflush(stdout);
  RunClock clock;
  History history;
  auto topology = Topology::Start(options, UsesAny(options, NeedsLazyFs));
  if (!topology.ok()) {
    std::fprintf(stderr, "raftmq-chaos: cannot start the cluster: %s\n", topology.status().ToString().c_str());
    return 2;
  }
  RunReport report;
  report.options = &options;
  report.history = &history;
  NodeProbe probe(ProbedNodes(**topology));
  bool setup_ok = false;
  {
    LeaderWatch leaders(&probe, options.groups, &clock, &history);
    Workload workload(options, (*topology)->nameserver_address(), &clock, &history);
    Status started = leaders.WaitForLeaders(kLeaderWaitMs) ? workload.Start(kLeaderWaitMs)
                                                           : Status::Unavailable("no leader in every group");
    if (started.ok()) {
      setup_ok = true;
      std::printf("raftmq-chaos: cluster up at %.1fs; faults (start, kind, target, heal, sends so far):\n",
                  clock.NowMs() / 1000.0);
      std::fflush(stdout);
      // The plan counts from the moment the load runs, not from process start.
      std::vector<PlannedFault> shifted = plan;
      const int64_t load_start_ms = clock.NowMs();
      for (PlannedFault& fault : shifted) fault.start_ms += load_start_ms;
      Supervisor supervisor(topology->get(), &history, &clock, options.restart_delay_ms);
      ScheduleContext context{&options, topology->get(), &leaders, &clock, &history, &g_stop, &supervisor,
                              [&workload] { return workload.sent(); }};
      RunSchedule(shifted, context);
      WaitUntil(context, load_start_ms + options.warmup_ms + options.duration_s * 1000);
      const std::string unhealed = HealEverything(**topology);
      if (!unhealed.empty()) report.harness_problems.push_back("final heal: " + unhealed);
      std::printf("raftmq-chaos: healed everything at %.1fs; stopping the load, draining\n", clock.NowMs() / 1000.0);
      std::fflush(stdout);
      if (!leaders.WaitForLeaders(kLeaderWaitMs)) report.harness_problems.push_back("a group has no leader after the final heal");
      workload.StopSending();
      Status drained = workload.Drain(kDrainTimeoutMs);
      if (!drained.ok()) report.harness_problems.push_back("drain: " + drained.ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(kPushSettleMs));
      workload.StopConsumers();
    } else {
      report.harness_problems.push_back("setup: " + started.ToString());
    }
  }
  report.check = Check(history);
  report.convergence = CheckConvergence(probe, options.groups, clock, options.settle_ms_max);
  report.run_ms = clock.NowMs();
  const std::string summary = TextSummary(report);
  std::ofstream(options.out_dir + "/summary.txt") << summary;
  Status json = WriteJson(report, options.out_dir + "/result.json");
  Status html = WriteHtml(report, options.out_dir + "/report.html");
  if (!json.ok() || !html.ok()) std::fprintf(stderr, "raftmq-chaos: cannot write the report\n");
  (*topology)->Teardown(!report.passed());
  std::printf("%s", summary.c_str());
  std::printf("raftmq-chaos: seed %llu; report: %s/report.html, %s/result.json%s\n",
              static_cast<unsigned long long>(options.seed), options.out_dir.c_str(), options.out_dir.c_str(),
              report.passed() ? "" : "; logs and data of every node kept under that directory");
  if (!setup_ok) return 2;
  return report.passed() ? 0 : 1;
}

}  // namespace
}  // namespace raftmq::chaos

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);  // until Run sends the client's log to a file
  raftmq::chaos::BlockSignals();
  std::thread(raftmq::chaos::WatchSignals).detach();
  auto options = raftmq::chaos::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "raftmq-chaos: %s (--help lists the flags)\n", options.status().ToString().c_str());
    return 2;
  }
  return raftmq::chaos::Run(*options);
}
