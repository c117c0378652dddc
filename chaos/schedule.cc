#include "chaos/schedule.h"

#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "chaos/nemesis.h"

namespace raftmq::chaos {
namespace {

constexpr int64_t kWaitStepMs = 50;

int64_t Uniform(std::mt19937_64& rng, int64_t low, int64_t high) {
  return std::uniform_int_distribution<int64_t>(low, high)(rng);
}

}  // namespace

bool WaitUntil(const ScheduleContext& context, int64_t at_ms) {
  while (context.clock->NowMs() < at_ms) {
    if (context.stop->load()) return false;
    context.supervisor->Step();
    std::this_thread::sleep_for(std::chrono::milliseconds(kWaitStepMs));
  }
  return !context.stop->load();
}

std::vector<PlannedFault> PlanSchedule(const ChaosOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<PlannedFault> plan;
  const int64_t end_ms = options.warmup_ms + options.duration_s * 1000;
  int64_t at = options.warmup_ms;
  for (;;) {
    PlannedFault fault;
    fault.start_ms = at;
    fault.duration_ms = Uniform(rng, options.fault_ms_min, options.fault_ms_max);
    fault.kind = options.nemeses[static_cast<size_t>(Uniform(rng, 0, static_cast<int64_t>(options.nemeses.size()) - 1))];
    fault.group = static_cast<int>(Uniform(rng, 1, options.groups));
    if (fault.start_ms + fault.duration_ms > end_ms) break;
    plan.push_back(fault);
    at = fault.start_ms + fault.duration_ms + Uniform(rng, options.quiet_ms_min, options.quiet_ms_max);
  }
  return plan;
}

std::string DescribeSchedule(const std::vector<PlannedFault>& plan) {
  std::ostringstream out;
  for (const PlannedFault& fault : plan) {
    char line[128];
    std::snprintf(line, sizeof(line), "  %7.1fs  %-17s g%d  for %.1fs\n", fault.start_ms / 1000.0, fault.kind.c_str(),
                  fault.group, fault.duration_ms / 1000.0);
    out << line;
  }
  return out.str();
}

void RunSchedule(const std::vector<PlannedFault>& plan, const ScheduleContext& context) {
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedFault& planned = plan[i];
    if (!WaitUntil(context, planned.start_ms)) return;
    std::mt19937_64 rng(context.options->seed * 1000003 + i);
    NemesisContext nemesis_context{context.topology, context.leaders, &rng};
    std::unique_ptr<Nemesis> nemesis = MakeNemesis(planned.kind);
    FaultRecord record;
    record.kind = planned.kind;
    Result<std::string> target = nemesis->Inject(nemesis_context, planned.group);
    // The fault counts from when it is complete (a partition is several iptables commands).
    record.start_ms = context.clock->NowMs();
    record.target = target.ok() ? *target : "g" + std::to_string(planned.group);
    if (!target.ok()) record.note = "inject failed: " + target.status().ToString();
    record.majority_connected = context.topology->MajorityConnected(planned.group);
    const size_t fault = context.history->RecordFault(record);
    WaitUntil(context, record.start_ms + planned.duration_ms);
    Status healed = nemesis->Heal(nemesis_context);
    const int64_t heal_ms = context.clock->NowMs();
    context.history->RecordHeal(fault, heal_ms, healed.ok() ? "" : "heal failed: " + healed.ToString());
    std::printf("  %7.1fs  %-17s %-28s healed %7.1fs  sent %llu%s\n", record.start_ms / 1000.0, planned.kind.c_str(),
                record.target.c_str(), heal_ms / 1000.0, static_cast<unsigned long long>(context.sent()),
                healed.ok() && target.ok() ? "" : "  (see report: fault note)");
    std::fflush(stdout);
  }
}

std::string HealEverything(Topology& topology) {
  std::string problems;
  Status network = topology.has_network() ? topology.HealNetwork() : Status::Ok();
  if (!network.ok()) problems += network.ToString() + "; ";
  for (size_t node = 0; node < topology.nodes().size(); ++node) {
    if (!topology.nodes()[node].disk_dir.empty()) (void)topology.FreeDisk(node);
    if (topology.nodes()[node].paused) (void)topology.ResumeBroker(node);
    if (!topology.BrokerRunning(node)) {
      Status started = topology.StartBroker(node);
      if (!started.ok()) problems += started.ToString() + "; ";
    }
  }
  return problems;
}

}  // namespace raftmq::chaos
