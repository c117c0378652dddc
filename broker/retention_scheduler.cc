#include "broker/retention_scheduler.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <spdlog/spdlog.h>

#include "broker/entry_kind.h"
#include "common/assert.h"
#include "proto/broker_command.pb.h"

namespace raftmq::broker {
namespace {

constexpr auto kProposeWait = std::chrono::seconds(10);

}  // namespace

RetentionScheduler::RetentionScheduler(const BrokerOptions* options, const storage::CommitLog* log,
                                       Replicator* replicator, const BrokerStateMachine* machine, const Clock* clock)
    : options_(options),
      log_(log),
      replicator_(replicator),
      machine_(machine),
      clock_(clock),
      delete_hours_(ParseRetentionDeleteWhen(options->retention_delete_when).value()),
      worker_([this]() -> std::optional<std::chrono::milliseconds> {
        auto proposed = RunOnce(clock_->UnixNowMs());
        if (!proposed.ok()) spdlog::warn("retention scheduler: {}", proposed.status().ToString());
        return std::chrono::milliseconds(options_->retention_check_interval_ms);
      }) {
  RMQ_ASSERT(log_ != nullptr && replicator_ != nullptr);
  RMQ_ASSERT(machine_ != nullptr && clock_ != nullptr);
}

RetentionScheduler::~RetentionScheduler() { Stop(); }

void RetentionScheduler::Start() { worker_.Start(); }

void RetentionScheduler::Stop() { worker_.Stop(); }

Result<std::optional<Index>> RetentionScheduler::RunOnce(int64_t now_ms) {
  const ReplicaStatus status = replicator_->GetStatus();
  if (status.role != ReplicaRole::kLeader || machine_->applied_term() < status.term) return std::optional<Index>();
  const std::optional<Index> bound = Bound();
  if (!bound) return std::optional<Index>();
  RMQ_ASSIGN_OR_RETURN(Index cutoff, log_->RetentionCutoff(now_ms / 1000, *bound, IsDeleteHour(now_ms)));
  RMQ_ASSERT(cutoff <= std::max(*bound, log_->FirstIndex()));
  if (cutoff <= log_->FirstIndex()) return std::optional<Index>();
  BrokerCommand command;
  command.mutable_delete_log_before()->set_index(cutoff.value());
  RMQ_RETURN_IF_ERROR(ProposeAndWait(replicator_, kBrokerCommandEntry, command.SerializeAsString(), kProposeWait));
  spdlog::info("retention scheduler: the group deleted the log before index {} (bound {})", cutoff.value(),
               bound->value());
  return std::optional<Index>(cutoff);
}

std::optional<Index> RetentionScheduler::Bound() {
  Index bound = machine_->applied_index();
  const std::vector<ReplicaPeer> peers = replicator_->PeerProgress();
  // Without every voter's progress (a leader just elected), wait.
  if (peers.size() + 1 < options_->peers.size()) return std::nullopt;
  // A follower not heard from lately is served by a snapshot (see the header).
  for (const ReplicaPeer& peer : peers) {
    if (peer.recent_active) bound = std::min(bound, peer.match);
  }
  return bound;
}

bool RetentionScheduler::IsDeleteHour(int64_t now_ms) const {
  const std::time_t now_seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm local{};
  if (localtime_r(&now_seconds, &local) == nullptr) return false;
  RMQ_ASSERT(local.tm_hour >= 0 && local.tm_hour < kHoursPerDay);
  return delete_hours_.test(static_cast<size_t>(local.tm_hour));
}

}  // namespace raftmq::broker
