// E2eCluster: a real raftmq cluster for end-to-end tests — one raftmq-nameserver and one or
// more broker groups of raftmq-broker processes on free loopback ports, their data in one
// TempDir. Nodes can be killed (SIGKILL), restarted on the same data dir, and reached through
// gRPC stubs. Everything is torn down by the destructor (ChildProcess SIGKILLs each process
// group, TempDir removes the files), so a failing test leaks nothing.
//
// Groups are named g1, g2, ...; nodes are numbered from 1 as in the broker's `peers`.
// Waits poll the processes' gRPC status (there is no push to wait on) every few ms and are
// bounded; on timeout they return Unavailable saying what was awaited and what was seen.
//
// Thread-safety: one test thread drives the cluster; stubs may be used from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/result.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "proto/nameserver.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace raftmq::e2e {

// Generous: the CI machine is shared, and a cold broker start opens RocksDB.
inline constexpr std::chrono::milliseconds kE2eWait{20000};

struct E2eClusterOptions {
  int groups = 1;
  int nodes = 3;
  // Extra --key=value flags for every broker and for the nameserver.
  std::vector<std::string> broker_flags;
  std::vector<std::string> nameserver_flags;
};

class E2eCluster {
 public:
  // Starts the nameserver, then every node, and waits for each to print its ready line.
  static Result<std::unique_ptr<E2eCluster>> Start(const E2eClusterOptions& options);
  ~E2eCluster() = default;
  E2eCluster(const E2eCluster&) = delete;
  E2eCluster& operator=(const E2eCluster&) = delete;

  static std::string GroupName(int group) { return "g" + std::to_string(group); }
  const std::string& nameserver_address() const { return nameserver_address_; }
  std::string NodeAddress(int group, int node) const { return nodes_.at({group, node}).address; }
  bool IsRunning(int group, int node) const { return nodes_.at({group, node}).process != nullptr; }

  // SIGKILL (kill -9) and reap; the node's data stays for Restart.
  Status Kill(int group, int node);
  // Starts a killed node again on its data dir and waits for its ready line.
  Status Restart(int group, int node);

  // The node a majority follows as leader, once a running node reports itself LEADER with a
  // term no other running node exceeds. `other_than` (0: any) skips a known old leader.
  Result<int> WaitForLeader(int group, std::chrono::milliseconds timeout = kE2eWait, int other_than = 0);
  // Once the nameserver's GetClusterInfo names `node` as the group's leader.
  Status WaitForNameserverLeader(int group, int node, std::chrono::milliseconds timeout = kE2eWait);

  // A context with a deadline, for stub calls.
  static std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout = kE2eWait);
  messaging::MessagingService::Stub* Messaging(int group, int node);
  admin::AdminService::Stub* Admin(int group, int node);
  nameserver::Nameserver::Stub* Nameserver() { return nameserver_stub_.get(); }
  // NodeStatus of one node (Unavailable if it does not answer within `timeout`).
  Result<admin::NodeStatusResponse> NodeStatus(int group, int node,
                                               std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

  // Creates `topic` on the group's current leader (waiting for one) and waits until the
  // nameserver routes it to that group.
  Status CreateTopic(int group, const std::string& topic, int queues, int perm = admin::PERM_READ | admin::PERM_WRITE);

 private:
  struct Node {
    std::string address;
    std::vector<std::string> args;
    std::unique_ptr<test_support::ChildProcess> process;  // null while killed
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<messaging::MessagingService::Stub> messaging;
    std::unique_ptr<admin::AdminService::Stub> admin;
  };

  E2eCluster() : dir_("raftmq_e2e") {}
  Status StartNameserver(const E2eClusterOptions& options);
  Status StartNode(Node* node);
  Status WaitForRoute(int group, const std::string& topic);

  test_support::TempDir dir_;
  E2eClusterOptions options_;
  std::unique_ptr<test_support::ChildProcess> nameserver_;
  std::string nameserver_address_;
  std::unique_ptr<nameserver::Nameserver::Stub> nameserver_stub_;
  std::map<std::pair<int, int>, Node> nodes_;  // by (group, node)
};

}  // namespace raftmq::e2e
