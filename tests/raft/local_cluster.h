// LocalCluster: a raft group of real raft::Nodes in one process for the integration test and
// raft_node_bench: each member has a real CommitLog and MetaStore in a temp dir, its own
// gRPC server on a free 127.0.0.1 port and a GrpcTransport to the others. Members can be hard
// stopped (server torn down, threads joined, no handoff) and restarted on the same dirs and
// port. With LocalClusterOptions::fault_fs each member's CommitLog runs on its own FaultFs
// over the real file system (storage faults on demand).
//
// RecordingStateMachine records every applied entry and outlives its member's restarts, so
// it models a state machine whose applied index is durable; Apply returns the index as the
// "result" handed back to the proposer.
//
// Threading: LocalCluster's methods from the test thread; the waits are safe from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "raft/grpc_peer_service.h"
#include "raft/grpc_transport.h"
#include "raft/node.h"
#include "storage/commit_log.h"
#include "storage/fault_fs.h"
#include "storage/meta_store.h"
#include "tests/support/temp_dir.h"

namespace raftmq::raft::testing {

// Bounded waits of the tests on a LocalCluster: generous, as the machine is shared.
inline constexpr std::chrono::milliseconds kElectionWait{10000};
inline constexpr std::chrono::milliseconds kApplyWait{30000};

struct AppliedEntry {
  Index index;
  Term term;
  storage::EntryKind kind;
  std::string payload;

  bool operator==(const AppliedEntry&) const = default;
};

class RecordingStateMachine final : public StateMachine {
 public:
  Index LastApplied() const override;
  Result<std::any> Apply(const storage::LogEntry& entry) override;
  // No Node test sends snapshots yet (raft::Node has no snapshot transfer wired): both refuse.
  Result<Index> SaveSnapshot(const std::filesystem::path& dir) override;
  Status RestoreSnapshot(const std::filesystem::path& dir, const storage::SnapshotMeta& snapshot) override;

  // Waits until `index` is applied; false on timeout.
  bool WaitApplied(Index index, std::chrono::milliseconds timeout) const;
  std::vector<AppliedEntry> Applied() const;
  // While on, Apply fails with IoError, as a state machine whose disk broke (off: it heals).
  void SetApplyFailing(bool on);

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable applied_cv_;
  std::vector<AppliedEntry> applied_;
  bool failing_ = false;
};

struct LocalClusterOptions {
  size_t members = 3;
  storage::FlushPolicy flush_policy = storage::FlushPolicy::kAsync;
  bool fault_fs = false;
  // The bootstrap voters are members 1..initial_voters (0: every member), each with every
  // voter's address (CoreOptions::addresses, so the bootstrap entry carries them); the others
  // start joining (CoreOptions::voters empty), knowing only the bootstrap voters' addresses, and
  // join when the leader adds them with their address (address()).
  size_t initial_voters = 0;
  NodeOptions node;  // id, voters and on_configuration_change are filled in per member
};

class LocalCluster {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster();

  // Opens storage and starts node, transport and server of member `id` (1-based).
  Status StartMember(NodeId id);
  // Tears member `id` down at once: server shut down with an immediate deadline, node and
  // transport threads stopped, storage closed. No leadership handoff.
  void HardStopMember(NodeId id);

  // Waits until some member other than `excluded` leads a term above `term_above`; returns
  // it, or kNoNode on timeout.
  NodeId WaitForLeader(std::chrono::milliseconds timeout, NodeId excluded = kNoNode, Term term_above = Term(0));

  Node* node(NodeId id) { return members_.at(id - 1).node.get(); }
  storage::CommitLog* log(NodeId id) { return members_.at(id - 1).log.get(); }
  const std::string& address(NodeId id) const { return members_.at(id - 1).address; }
  std::string log_dir(NodeId id) const { return dir_.Sub("node" + std::to_string(id)) + "/commitlog"; }
  // Only with LocalClusterOptions::fault_fs.
  storage::FaultFs& fault_fs(NodeId id) { return *members_.at(id - 1).fs; }
  RecordingStateMachine& state_machine(NodeId id) { return *members_.at(id - 1).state_machine; }
  size_t size() const { return members_.size(); }

 private:
  struct Member {
    NodeId id = kNoNode;
    std::string address;
    std::unique_ptr<RecordingStateMachine> state_machine;
    std::unique_ptr<storage::FaultFs> fs;  // the CommitLog's, with fault_fs
    std::unique_ptr<storage::CommitLog> log;
    std::unique_ptr<storage::MetaStore> meta;
    std::unique_ptr<GrpcTransport> transport;
    std::unique_ptr<Node> node;
    std::unique_ptr<GrpcPeerService> service;
    std::unique_ptr<grpc::Server> server;
  };
  void OnSoftState(NodeId id, const SoftState& soft);

  const LocalClusterOptions options_;
  test_support::TempDir dir_;
  std::vector<Member> members_;

  std::mutex leader_mutex_;
  std::condition_variable leader_cv_;
  std::vector<SoftState> soft_states_;  // by member, guarded by leader_mutex_
};

}  // namespace raftmq::raft::testing
