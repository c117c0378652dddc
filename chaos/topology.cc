#include "chaos/topology.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "chaos/process.h"
#include "common/loopback_port.h"

namespace raftmq::chaos {
namespace {

constexpr int64_t kStartTimeoutMs = 30000;
constexpr int kBrokerPort = 10911;
constexpr int kNameserverPort = 9876;

bool IsMountPoint(const std::string& path) {
  struct stat self {}, parent {};
  if (::stat(path.c_str(), &self) != 0 || ::stat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

}  // namespace

Result<std::unique_ptr<Topology>> Topology::Start(const ChaosOptions& options, bool with_lazyfs) {
  std::unique_ptr<Topology> topology(new Topology(options));
  const int pid = static_cast<int>(::getpid());
  topology->tag_ = std::to_string(pid);
  topology->subnet_ = "10." + std::to_string(100 + (pid / 256) % 100) + "." + std::to_string(pid % 256) + ".";
  if (!options.loopback) RMQ_RETURN_IF_ERROR(topology->SetUpNetwork());
  RMQ_RETURN_IF_ERROR(topology->StartNameserver());
  for (int group = 1; group <= options.groups; ++group) {
    for (int number = 1; number <= options.nodes; ++number) {
      ChaosNode node;
      node.group = group;
      node.number = number;
      node.name = "g" + std::to_string(group) + "n" + std::to_string(number);
      node.dir = options.out_dir + "/" + node.name;
      const size_t index = topology->nodes_.size();
      if (options.loopback) {
        node.ip = "127.0.0.1";
        RMQ_ASSIGN_OR_RETURN(uint16_t port, ReserveLoopbackPort());
        node.address = node.ip + ":" + std::to_string(port);
      } else {
        node.ip = topology->subnet_ + std::to_string(index + 1);
        node.address = node.ip + ":" + std::to_string(kBrokerPort);
        node.netns = "raftmq-chaos-" + topology->tag_ + "-" + node.name;
      }
      topology->nodes_.push_back(node);
    }
  }
  for (ChaosNode& node : topology->nodes_) RMQ_RETURN_IF_ERROR(topology->SetUpNode(node, with_lazyfs));
  for (size_t node = 0; node < topology->nodes_.size(); ++node) RMQ_RETURN_IF_ERROR(topology->StartBroker(node));
  return topology;
}

Topology::~Topology() { Teardown(false); }

Status Topology::SetUpNetwork() {
  bridge_ = "rmqc" + tag_;
  RMQ_RETURN_IF_ERROR(RunCommand("ip link add " + bridge_ + " type bridge"));
  RMQ_RETURN_IF_ERROR(RunCommand("ip addr add " + subnet_ + "254/24 dev " + bridge_));
  RMQ_RETURN_IF_ERROR(RunCommand("ip link set " + bridge_ + " up"));
  return Status::Ok();
}

Status Topology::SetUpNode(ChaosNode& node, bool with_lazyfs) {
  std::filesystem::create_directories(node.dir);
  if (!node.netns.empty()) {
    const std::string host_side = "rmqh" + tag_ + "-" + std::to_string(&node - nodes_.data() + 1);
    const std::string inside = "eth0";
    RMQ_RETURN_IF_ERROR(RunCommand("ip netns add " + node.netns));
    RMQ_RETURN_IF_ERROR(RunCommand("ip link add " + host_side + " type veth peer name rmqn" + tag_));
    RMQ_RETURN_IF_ERROR(RunCommand("ip link set rmqn" + tag_ + " netns " + node.netns + " name " + inside));
    RMQ_RETURN_IF_ERROR(RunCommand("ip link set " + host_side + " master " + bridge_ + " up"));
    const std::string in_ns = "ip netns exec " + node.netns + " ";
    RMQ_RETURN_IF_ERROR(RunCommand(in_ns + "ip addr add " + node.ip + "/24 dev " + inside));
    RMQ_RETURN_IF_ERROR(RunCommand(in_ns + "ip link set " + inside + " up"));
    RMQ_RETURN_IF_ERROR(RunCommand(in_ns + "ip link set lo up"));
    node.disk_dir = node.dir + "/disk";
    std::filesystem::create_directories(node.disk_dir);
    RMQ_RETURN_IF_ERROR(RunCommand("mount -t tmpfs -o size=" + std::to_string(options_.disk_mb) + "m raftmq-chaos " +
                                   node.disk_dir));
    mounts_.push_back(node.disk_dir);
  }
  const std::string base = node.disk_dir.empty() ? node.dir : node.disk_dir;
  node.data_dir = node.dir + "/data";
  if (with_lazyfs && !node.disk_dir.empty()) {
    node.lazyfs_backing = base + "/backing";
    std::filesystem::create_directories(node.lazyfs_backing);
    std::filesystem::create_directories(node.data_dir);
    const std::vector<std::string> argv = {options_.build_dir + "/chaos/raftmq-lazyfs", node.lazyfs_backing,
                                           node.data_dir};
    RMQ_ASSIGN_OR_RETURN(node.lazyfs_pid, Spawn(argv, node.dir + "/lazyfs.log"));
    mounts_.push_back(node.data_dir);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
    while (!IsMountPoint(node.data_dir)) {
      if (!IsAlive(node.lazyfs_pid) || std::chrono::steady_clock::now() > deadline) {
        return Status::Unavailable("raftmq-lazyfs did not mount " + node.data_dir + " (see " + node.dir + "/lazyfs.log)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else if (!node.disk_dir.empty()) {
    node.data_dir = node.disk_dir + "/data";
  }
  RMQ_RETURN_IF_ERROR(WriteBootId(node));
  return WriteBrokerConfig(node);
}

Status Topology::WriteBootId(const ChaosNode& node) {
  RMQ_ASSIGN_OR_RETURN(std::string uuid, CaptureCommand("cat /proc/sys/kernel/random/uuid"));
  std::ofstream(node.dir + "/boot_id") << uuid;
  return Status::Ok();
}

Status Topology::StartNameserver() {
  const std::string dir = options_.out_dir + "/nameserver";
  std::filesystem::create_directories(dir);
  if (options_.loopback) {
    RMQ_ASSIGN_OR_RETURN(uint16_t port, ReserveLoopbackPort());
    nameserver_address_ = "127.0.0.1:" + std::to_string(port);
  } else {
    nameserver_address_ = subnet_ + "254:" + std::to_string(kNameserverPort);
  }
  const std::string binary = options_.build_dir + "/nameserver/raftmq-nameserver";
  RMQ_RETURN_IF_ERROR(RunCommand(binary + " --print-config --listen_address=" + nameserver_address_ + " > " + dir +
                                 "/nameserver.toml"));
  const std::string log = dir + "/nameserver.log";
  const uint64_t offset = FileSize(log);
  const std::vector<std::string> argv = {binary, "--config", dir + "/nameserver.toml"};
  RMQ_ASSIGN_OR_RETURN(nameserver_pid_, Spawn(argv, log));
  return WaitForLogLine(log, offset, "listening on", nameserver_pid_, kStartTimeoutMs);
}

Status Topology::WriteBrokerConfig(const ChaosNode& node) {
  std::string peers;
  for (size_t member : GroupNodes(node.group)) peers += (peers.empty() ? "" : ",") + nodes_[member].address;
  const std::string command = options_.build_dir + "/broker/raftmq-broker --print-config --cluster_name=ChaosCluster" +
                              " --broker_group=g" + std::to_string(node.group) + " --node_id=" +
                              std::to_string(node.number) + " --peers=" + peers + " --data_dir=" + node.data_dir +
                              " --nameserver_addresses=" + nameserver_address_ + " --flush_disk_type=" + options_.flush +
                              " --boot_id_file=" + node.dir + "/boot_id" + " > " + node.dir + "/broker.toml";
  return RunCommand(command);
}

std::vector<std::string> Topology::InNamespace(const ChaosNode& node, std::vector<std::string> argv) const {
  if (node.netns.empty()) return argv;
  std::vector<std::string> wrapped = {"ip", "netns", "exec", node.netns};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::vector<size_t> Topology::GroupNodes(int group) const {
  std::vector<size_t> members;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].group == group) members.push_back(i);
  }
  return members;
}

Status Topology::StartBroker(size_t index) {
  ChaosNode& node = nodes_[index];
  if (BrokerRunning(index)) return Status::Ok();
  const std::string log = node.dir + "/broker.log";
  const uint64_t offset = FileSize(log);
  auto argv = InNamespace(node, {options_.build_dir + "/broker/raftmq-broker", "--config", node.dir + "/broker.toml"});
  RMQ_ASSIGN_OR_RETURN(node.pid, Spawn(argv, log));
  node.paused = false;
  Status started = WaitForLogLine(log, offset, "listening on", node.pid, kStartTimeoutMs);
  if (!started.ok()) return Status::Unavailable(node.name + " " + started.message());
  return Status::Ok();
}

Status Topology::KillBroker(size_t index) {
  ChaosNode& node = nodes_[index];
  if (!BrokerRunning(index)) return Status::Unavailable(node.name + " is not running");
  KillAndReap(node.pid, 10000);
  node.pid = -1;
  node.paused = false;
  return Status::Ok();
}

Status Topology::PauseBroker(size_t index) {
  ChaosNode& node = nodes_[index];
  if (!BrokerRunning(index)) return Status::Unavailable(node.name + " is not running");
  ::kill(node.pid, SIGSTOP);
  node.paused = true;
  return Status::Ok();
}

Status Topology::ResumeBroker(size_t index) {
  ChaosNode& node = nodes_[index];
  if (!BrokerRunning(index)) return Status::Unavailable(node.name + " is not running");
  ::kill(node.pid, SIGCONT);
  node.paused = false;
  return Status::Ok();
}

bool Topology::BrokerRunning(size_t index) { return IsAlive(nodes_[index].pid); }

std::vector<std::pair<size_t, std::string>> Topology::ReapExited() {
  std::vector<std::pair<size_t, std::string>> exited;
  for (size_t index = 0; index < nodes_.size(); ++index) {
    ChaosNode& node = nodes_[index];
    if (node.pid <= 0) continue;
    int status = 0;
    if (::waitpid(node.pid, &status, WNOHANG) != node.pid) continue;
    node.pid = -1;
    node.paused = false;
    exited.emplace_back(index, WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                                   : "exit code " + std::to_string(WEXITSTATUS(status)));
  }
  return exited;
}

Status Topology::DropTraffic(size_t target, size_t source) {
  if (nodes_[target].netns.empty()) return Status::NotSupported("no network faults in loopback mode");
  RMQ_RETURN_IF_ERROR(
      RunCommand("ip netns exec " + nodes_[target].netns + " iptables -A INPUT -s " + nodes_[source].ip + " -j DROP"));
  dropped_.insert({target, source});
  return Status::Ok();
}

bool Topology::MajorityConnected(int group) const {
  const std::vector<size_t> members = GroupNodes(group);
  for (size_t leader : members) {
    size_t reached = 1;  // itself
    for (size_t other : members) {
      if (other != leader && !dropped_.contains({leader, other}) && !dropped_.contains({other, leader})) ++reached;
    }
    if (reached > members.size() / 2) return true;
  }
  return false;
}

Status Topology::HealNetwork() {
  Status first;
  for (const ChaosNode& node : nodes_) {
    if (node.netns.empty()) continue;
    Status healed = RunCommand("ip netns exec " + node.netns + " iptables -F INPUT");
    if (!healed.ok() && first.ok()) first = healed;
  }
  if (first.ok()) dropped_.clear();
  return first;
}

Status Topology::FillDisk(size_t index) {
  const ChaosNode& node = nodes_[index];
  if (node.disk_dir.empty()) return Status::NotSupported("no disk faults in loopback mode");
  const std::string filler = node.disk_dir + "/filler";
  const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot create " + filler);
  // Take what is free, then the last pages in smaller steps until nothing is left.
  off_t size = 0;
  for (off_t step = 64 << 20; step >= 4096; step /= 2) {
    while (::fallocate(fd, 0, size, step) == 0) size += step;
  }
  ::close(fd);
  return Status::Ok();
}

Status Topology::FreeDisk(size_t index) {
  const ChaosNode& node = nodes_[index];
  if (node.disk_dir.empty()) return Status::NotSupported("no disk faults in loopback mode");
  std::error_code error;
  std::filesystem::remove(node.disk_dir + "/filler", error);
  if (error) return Status::IoError("cannot remove the filler of " + node.name + ": " + error.message());
  return Status::Ok();
}

Status Topology::CutPower(size_t index) {
  ChaosNode& node = nodes_[index];
  if (node.lazyfs_pid <= 0) return Status::NotSupported("no power faults without raftmq-lazyfs");
  if (BrokerRunning(index)) return Status::InvalidArgument(node.name + " still runs: kill it first");
  const uint64_t offset = FileSize(node.dir + "/lazyfs.log");
  ::kill(node.lazyfs_pid, SIGUSR1);
  RMQ_RETURN_IF_ERROR(WaitForLogLine(node.dir + "/lazyfs.log", offset, "power cut", node.lazyfs_pid, 10000));
  return WriteBootId(node);
}

void Topology::Teardown(bool keep_data) {
  if (torn_down_) return;
  torn_down_ = true;
  for (ChaosNode& node : nodes_) {
    KillAndReap(node.pid, 10000);
    node.pid = -1;
  }
  KillAndReap(nameserver_pid_, 10000);
  for (ChaosNode& node : nodes_) {
    if (keep_data && std::filesystem::exists(node.data_dir)) {
      // What the node would find after a reboot: lazyfs' backing dir when there is one.
      const std::string source = node.lazyfs_backing.empty() ? node.data_dir : node.lazyfs_backing;
      (void)RunCommand("cp -a " + source + " " + node.dir + "/data-kept");
    }
  }
  for (auto mount = mounts_.rbegin(); mount != mounts_.rend(); ++mount) (void)RunCommand("umount -l " + *mount);
  for (ChaosNode& node : nodes_) {
    if (node.lazyfs_pid > 0) {
      ::kill(node.lazyfs_pid, SIGTERM);
      KillAndReap(node.lazyfs_pid, 5000);
    }
    if (!node.netns.empty()) (void)RunCommand("ip netns delete " + node.netns);
    std::error_code ignored;
    std::filesystem::remove_all(node.dir + "/disk", ignored);
    std::filesystem::remove_all(node.dir + "/data", ignored);
  }
  if (!bridge_.empty()) (void)RunCommand("ip link delete " + bridge_);
}

}  // namespace raftmq::chaos
