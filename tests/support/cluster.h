// Cluster: a real raftmq cluster for tests — one raftmq-nameserver and one or more broker
// groups of raftmq-broker processes on free loopback ports, their data in one TempDir. Nodes
// can be killed (SIGKILL) and restarted on the same data dir, paused (SIGSTOP: the process is
// alive, its sockets accept, nothing answers) and resumed (SIGCONT), and reached through gRPC
// stubs. Everything is torn down by the destructor (ChildProcess SIGKILLs each process group,
// paused or not; TempDir removes the files), so a failing test leaks nothing.
//
// Groups are named g1, g2, ...; nodes are numbered from 1 as in the broker's `peers`. A group
// of one node is its own majority: it elects itself and never fails over.
// Waits poll the processes' gRPC status (there is no push to wait on) every few ms and are
// bounded; on timeout they return Unavailable saying what was awaited and what was seen.
//
// Used by tests/e2e (raw gRPC), tests/client (the client library) and tests/cli.
//
// Thread-safety: one test thread drives the cluster; stubs may be used from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/result.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "proto/nameserver.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace raftmq::test_support {

// Generous: the CI machine is shared, and a cold broker start opens RocksDB.
inline constexpr std::chrono::milliseconds kClusterWait{20000};

struct ClusterOptions {
  int groups = 1;
  int nodes = 3;
  // More nodes per group, numbered after `nodes`, prepared but not started: StartSpare starts
  // one with initial_cluster_state = existing, to be added to the running group (raftmq group
  // add-node). Their `peers` list every node, the spares too; the voters' lists only the voters.
  int spare_nodes = 0;
  // Extra --key=value flags for every broker and for the nameserver.
  std::vector<std::string> broker_flags;
  std::vector<std::string> nameserver_flags;
  // Quiet by default; "info" shows elections (WaitForLog).
  std::string broker_log_level = "warn";
  // Optional: runs for each broker node's data dir (created, empty) before the node first
  // starts, e.g. to mount a small file system there. An error fails Start.
  std::function<Status(int group, int node, const std::string& data_dir)> prepare_data_dir;
  // Optional: the loopback host node `from` dials to reach node `to` of the same group (the
  // host of `to`'s entry in `from`'s --peers), e.g. 127.x.from.to. Set, every node listens
  // on 0.0.0.0:<its port>, so it accepts each host its peers dial as well as the test's own
  // calls to 127.0.0.1:<port>: a test can then drop one pair's Raft traffic by address
  // (iptables) and still reach every node. Unset, every peer is 127.0.0.1.
  std::function<std::string(int group, int from, int to)> peer_host;
};

class Cluster {
 public:
  // Starts the nameserver, then every node, and waits for each to print its ready line and
  // for each group to have a leader and every node caught up (none recovering).
  static Result<std::unique_ptr<Cluster>> Start(const ClusterOptions& options);
  ~Cluster() = default;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  static std::string GroupName(int group) { return "g" + std::to_string(group); }
  int groups() const { return options_.groups; }
  int nodes() const { return options_.nodes; }
  const std::string& nameserver_address() const { return nameserver_address_; }
  std::string NodeAddress(int group, int node) const { return nodes_.at({group, node}).address; }
  bool IsRunning(int group, int node) const { return nodes_.at({group, node}).process != nullptr; }
  bool IsPaused(int group, int node) const { return nodes_.at({group, node}).paused; }

  // The first line of a running node's output (stdout or stderr: its log) containing
  // `needle`; Unavailable with the output so far on timeout.
  Result<std::string> WaitForLog(int group, int node, std::string_view needle,
                                 std::chrono::milliseconds timeout = kClusterWait);

  // Starts spare node `node` (ClusterOptions::spare_nodes) on its empty data dir, joining the
  // running group, and waits for its ready line.
  Status StartSpare(int group, int node);

  // SIGKILL (kill -9) and reap; the node's data stays for Restart.
  Status Kill(int group, int node);
  // SIGTERM (a graceful stop: the node writes its final checkpoints) and reap; the data stays.
  Status Stop(int group, int node);
  // Starts a killed or stopped node again on its data dir and waits for its ready line.
  Status Restart(int group, int node);
  // The node's --data_dir, for tests that damage it while the node is down.
  const std::string& DataDir(int group, int node) const { return nodes_.at({group, node}).data_dir; }
  // SIGSTOP: calls to the node hang (until SIGCONT or their deadline), as on a stalled host.
  Status Pause(int group, int node);
  // SIGCONT of a paused node.
  Status Resume(int group, int node);

  // The node a majority follows as leader, once a running node reports itself LEADER with a
  // term no other running node exceeds. `other_than` (0: any) skips a known old leader.
  // Paused nodes are not asked.
  Result<int> WaitForLeader(int group, std::chrono::milliseconds timeout = kClusterWait, int other_than = 0);
  // Once the nameserver's GetClusterInfo names `node` as the group's leader.
  Status WaitForNameserverLeader(int group, int node, std::chrono::milliseconds timeout = kClusterWait);

  // A context with a deadline, for stub calls.
  static std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout = kClusterWait);
  messaging::MessagingService::Stub* Messaging(int group, int node);
  admin::AdminService::Stub* Admin(int group, int node);
  nameserver::Nameserver::Stub* Nameserver() { return nameserver_stub_.get(); }
  // NodeStatus of one node (Unavailable if it does not answer within `timeout`).
  Result<admin::NodeStatusResponse> NodeStatus(int group, int node,
                                               std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

  // Creates `topic` on the group's current leader (waiting for one; retrying while a new
  // leader is not ready to write) and waits until the nameserver routes it to that group.
  Status CreateTopic(int group, const std::string& topic, int queues, int perm = admin::PERM_READ | admin::PERM_WRITE);
  // CreateTopic on every group.
  Status CreateTopicEverywhere(const std::string& topic, int queues);

 private:
  struct Node {
    std::string address;         // 127.0.0.1:<port>, where the test's stubs call
    std::string listen_address;  // what it binds, named by its ready line
    std::string data_dir;
    std::vector<std::string> args;
    std::unique_ptr<ChildProcess> process;  // null while killed
    bool paused = false;                    // SIGSTOPped; only while running
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<messaging::MessagingService::Stub> messaging;
    std::unique_ptr<admin::AdminService::Stub> admin;
  };

  Cluster() : dir_("raftmq_cluster") {}
  Status StartNameserver(const ClusterOptions& options);
  Status StartNode(Node* node);
  Status WaitForFormed(int group);
  Status Signal(int group, int node, int signal);
  Status StopNode(int group, int node, int signal);
  Status WaitForRoute(int group, const std::string& topic);

  TempDir dir_;
  ClusterOptions options_;
  std::unique_ptr<ChildProcess> nameserver_;
  std::string nameserver_address_;
  std::unique_ptr<nameserver::Nameserver::Stub> nameserver_stub_;
  std::map<std::pair<int, int>, Node> nodes_;  // by (group, node)
};

}  // namespace raftmq::test_support
