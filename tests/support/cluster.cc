#include "tests/support/cluster.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/assert.h"
#include "common/loopback_port.h"
#include "tests/support/poll.h"

namespace raftmq::test_support {
namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : ",") + part;
  return joined;
}

}  // namespace

Result<std::unique_ptr<Cluster>> Cluster::Start(const ClusterOptions& options) {
  RMQ_ASSERT(options.groups >= 1);
  RMQ_ASSERT(options.nodes >= 1);
  std::unique_ptr<Cluster> cluster(new Cluster());
  cluster->options_ = options;
  RMQ_RETURN_IF_ERROR(cluster->StartNameserver(options));
  for (int group = 1; group <= options.groups; ++group) {
    const int all = options.nodes + options.spare_nodes;
    std::vector<std::string> ports;
    for (int node = 1; node <= all; ++node) {
      RMQ_ASSIGN_OR_RETURN(uint16_t port, ReserveLoopbackPort());
      ports.push_back(std::to_string(port));
    }
    for (int node = 1; node <= all; ++node) {
      const bool spare = node > options.nodes;
      std::vector<std::string> peers;
      for (int to = 1; to <= (spare ? all : options.nodes); ++to) {
        peers.push_back((options.peer_host ? options.peer_host(group, node, to) : "127.0.0.1") + ":" + ports[to - 1]);
      }
      Node& entry = cluster->nodes_[{group, node}];
      entry.address = "127.0.0.1:" + ports[node - 1];
      entry.listen_address = (options.peer_host ? "0.0.0.0:" : "127.0.0.1:") + ports[node - 1];
      entry.data_dir = cluster->dir_.Sub(GroupName(group) + "n" + std::to_string(node));
      entry.args = {"--cluster_name=TEST", "--broker_group=" + GroupName(group), "--node_id=" + std::to_string(node),
                    "--peers=" + Join(peers), "--listen_address=" + entry.listen_address, "--data_dir=" + entry.data_dir,
                    "--nameserver_addresses=" + cluster->nameserver_address_, "--log_level=" + options.broker_log_level};
      if (spare) entry.args.push_back("--initial_cluster_state=existing");
      entry.args.insert(entry.args.end(), options.broker_flags.begin(), options.broker_flags.end());
      entry.channel = grpc::CreateChannel(entry.address, grpc::InsecureChannelCredentials());
      entry.messaging = messaging::MessagingService::NewStub(entry.channel);
      entry.admin = admin::AdminService::NewStub(entry.channel);
    }
  }
  for (auto& [key, node] : cluster->nodes_) {
    if (key.second > options.nodes) continue;  // a spare
    if (options.prepare_data_dir) {
      const std::string& data_dir = node.data_dir;
      std::error_code error;
      std::filesystem::create_directories(data_dir, error);
      if (error) return Status::IoError("cannot create " + data_dir + ": " + error.message());
      RMQ_RETURN_IF_ERROR(options.prepare_data_dir(key.first, key.second, data_dir));
    }
    RMQ_RETURN_IF_ERROR(cluster->StartNode(&node));
  }
  for (int group = 1; group <= options.groups; ++group) RMQ_RETURN_IF_ERROR(cluster->WaitForFormed(group));
  return cluster;
}

// A node started after the others formed the group (its dir was empty) recovers until the
// leader has caught it up; until then it does not vote, so a test that stopped the leader at
// once would find no majority to elect another.
Status Cluster::WaitForFormed(int group) {
  std::string seen;
  const bool formed = PollUntil([&] {
    bool leader = false;
    seen.clear();
    for (int node = 1; node <= options_.nodes; ++node) {
      auto status = NodeStatus(group, node, std::chrono::milliseconds(500));
      if (!status.ok()) return false;
      if (status->recovering()) {
        seen = " n" + std::to_string(node) + " recovering";
        return false;
      }
      leader = leader || status->role() == admin::LEADER;
    }
    seen = leader ? "" : " no leader";
    return leader;
  }, kClusterWait);
  if (formed) return Status::Ok();
  return Status::Unavailable(GroupName(group) + " did not form within " + std::to_string(kClusterWait.count()) +
                             " ms (a leader, every node caught up):" + seen);
}

Status Cluster::StartNameserver(const ClusterOptions& options) {
  std::vector<std::string> args = {"--listen_address=127.0.0.1:0"};
  args.insert(args.end(), options.nameserver_flags.begin(), options.nameserver_flags.end());
  RMQ_ASSIGN_OR_RETURN(nameserver_, ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, args));
  constexpr std::string_view kReady = "raftmq-nameserver listening on ";
  RMQ_ASSIGN_OR_RETURN(std::string line, nameserver_->WaitForLine(kReady, kClusterWait, ChildProcess::Stream::kStdout));
  nameserver_address_ = line.substr(line.find(kReady) + kReady.size());
  nameserver_stub_ = nameserver::Nameserver::NewStub(
      grpc::CreateChannel(nameserver_address_, grpc::InsecureChannelCredentials()));
  return Status::Ok();
}

Status Cluster::StartNode(Node* node) {
  RMQ_ASSERT(node->process == nullptr);
  RMQ_ASSIGN_OR_RETURN(node->process, ChildProcess::Start(RAFTMQ_BROKER_BINARY, node->args));
  auto ready = node->process->WaitForLine("raftmq-broker listening on " + node->listen_address, kClusterWait,
                                          ChildProcess::Stream::kStdout);
  if (!ready.ok()) return Status::Unavailable("broker " + node->address + " did not start: " + ready.status().ToString());
  return Status::Ok();
}

Status Cluster::StartSpare(int group, int node) {
  RMQ_ASSERT(node > options_.nodes && node <= options_.nodes + options_.spare_nodes);
  Node& entry = nodes_.at({group, node});
  RMQ_ASSERT(entry.process == nullptr);
  return StartNode(&entry);
}

Result<std::string> Cluster::WaitForLog(int group, int node, std::string_view needle, std::chrono::milliseconds timeout) {
  const Node& entry = nodes_.at({group, node});
  if (entry.process == nullptr) return Status::Unavailable("node " + std::to_string(node) + " is not running");
  return entry.process->WaitForLine(needle, timeout);
}

Status Cluster::Kill(int group, int node) { return StopNode(group, node, SIGKILL); }

Status Cluster::Stop(int group, int node) { return StopNode(group, node, SIGTERM); }

Status Cluster::StopNode(int group, int node, int signal) {
  Node& entry = nodes_.at({group, node});
  RMQ_ASSERT(entry.process != nullptr);
  RMQ_ASSERT(signal == SIGKILL || !entry.paused);  // SIGKILL ends a stopped process too
  entry.paused = false;
  auto exit_code = entry.process->Stop(kClusterWait, signal);
  entry.process.reset();
  return exit_code.ok() ? Status::Ok() : exit_code.status();
}

Status Cluster::Restart(int group, int node) { return StartNode(&nodes_.at({group, node})); }

Status Cluster::Pause(int group, int node) {
  RMQ_ASSERT(!IsPaused(group, node));
  Node& entry = nodes_.at({group, node});
  RMQ_ASSERT(entry.process != nullptr);
  RMQ_RETURN_IF_ERROR(entry.process->Suspend(kClusterWait));
  entry.paused = true;
  return Status::Ok();
}

Status Cluster::Resume(int group, int node) {
  RMQ_ASSERT(IsPaused(group, node));
  RMQ_RETURN_IF_ERROR(Signal(group, node, SIGCONT));
  nodes_.at({group, node}).paused = false;
  return Status::Ok();
}

Status Cluster::Signal(int group, int node, int signal) {
  const Node& entry = nodes_.at({group, node});
  RMQ_ASSERT(entry.process != nullptr);
  if (kill(entry.process->pid(), signal) != 0) {
    return Status::IoError("signal " + std::to_string(signal) + " to " + entry.address + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::unique_ptr<grpc::ClientContext> Cluster::Context(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

messaging::MessagingService::Stub* Cluster::Messaging(int group, int node) {
  return nodes_.at({group, node}).messaging.get();
}

admin::AdminService::Stub* Cluster::Admin(int group, int node) { return nodes_.at({group, node}).admin.get(); }

Result<admin::NodeStatusResponse> Cluster::NodeStatus(int group, int node, std::chrono::milliseconds timeout) {
  admin::NodeStatusResponse response;
  grpc::Status status = Admin(group, node)->NodeStatus(Context(timeout).get(), admin::NodeStatusRequest(), &response);
  if (!status.ok()) return Status::Unavailable("NodeStatus of " + NodeAddress(group, node) + ": " + status.error_message());
  return response;
}

Result<int> Cluster::WaitForLeader(int group, std::chrono::milliseconds timeout, int other_than) {
  std::string seen;
  int found = 0;
  const bool elected = PollUntil([&] {
    int leader = 0;
    uint64_t leader_term = 0, term_max = 0;
    seen.clear();
    for (int node = 1; node <= options_.nodes + options_.spare_nodes; ++node) {
      if (!IsRunning(group, node) || IsPaused(group, node)) continue;
      auto status = NodeStatus(group, node, std::chrono::milliseconds(500));
      if (!status.ok()) continue;
      term_max = std::max(term_max, status->term());
      seen += " n" + std::to_string(node) + ":" + admin::Role_Name(status->role()) + "@" + std::to_string(status->term());
      if (status->role() == admin::LEADER && node != other_than) leader = node, leader_term = status->term();
    }
    found = leader;
    return leader != 0 && leader_term == term_max;
  }, timeout);
  if (elected) return found;
  return Status::Unavailable("no leader in " + GroupName(group) + " within " + std::to_string(timeout.count()) +
                             " ms; last seen:" + seen);
}

Status Cluster::WaitForNameserverLeader(int group, int node, std::chrono::milliseconds timeout) {
  std::string seen = "nothing";
  const bool named = PollUntil([&] {
    nameserver::GetClusterInfoResponse info;
    grpc::Status status = nameserver_stub_->GetClusterInfo(Context(std::chrono::milliseconds(1000)).get(),
                                                            nameserver::GetClusterInfoRequest(), &info);
    if (status.ok()) {
      for (const nameserver::GroupInfo& info_group : info.groups()) {
        if (info_group.group_name() != GroupName(group)) continue;
        if (info_group.leader_node_id() == static_cast<uint64_t>(node)) return true;
        seen = "leader node " + std::to_string(info_group.leader_node_id());
      }
    }
    return false;
  }, timeout);
  if (named) return Status::Ok();
  return Status::Unavailable("the nameserver did not name node " + std::to_string(node) + " leader of " +
                             GroupName(group) + "; it shows " + seen);
}

Status Cluster::CreateTopic(int group, const std::string& topic, int queues, int perm) {
  admin::CreateTopicRequest request;
  request.mutable_topic()->set_name(topic);
  request.mutable_topic()->set_read_queue_nums(queues);
  request.mutable_topic()->set_write_queue_nums(queues);
  request.mutable_topic()->set_perm(perm);
  // UNAVAILABLE (a leader just elected still applying its predecessor's entries, or one that
  // lost leadership) is retried on the then leader; ALREADY_EXISTS after a retry means an
  // earlier attempt committed.
  const auto deadline = std::chrono::steady_clock::now() + kClusterWait;
  for (int attempt = 0;; ++attempt) {
    RMQ_ASSIGN_OR_RETURN(int leader, WaitForLeader(group));
    admin::TopicResponse response;
    grpc::Status status = Admin(group, leader)->CreateTopic(Context().get(), request, &response);
    if (status.ok() || (attempt > 0 && status.error_code() == grpc::StatusCode::ALREADY_EXISTS)) break;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("CreateTopic " + topic + " on " + GroupName(group) + ": " + status.error_message());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return WaitForRoute(group, topic);
}

Status Cluster::CreateTopicEverywhere(const std::string& topic, int queues) {
  for (int group = 1; group <= options_.groups; ++group) RMQ_RETURN_IF_ERROR(CreateTopic(group, topic, queues));
  return Status::Ok();
}

Status Cluster::WaitForRoute(int group, const std::string& topic) {
  const bool routed = PollUntil([&] {
    nameserver::GetRouteInfoByTopicRequest request;
    request.set_topic(topic);
    nameserver::GetRouteInfoByTopicResponse route;
    grpc::Status status = nameserver_stub_->GetRouteInfoByTopic(Context(std::chrono::milliseconds(1000)).get(),
                                                                 request, &route);
    for (const nameserver::GroupRoute& entry : route.groups()) {
      if (status.ok() && entry.group().group_name() == GroupName(group)) return true;
    }
    return false;
  }, kClusterWait);
  if (routed) return Status::Ok();
  return Status::Unavailable("the nameserver never routed " + topic + " to " + GroupName(group));
}

}  // namespace raftmq::test_support
