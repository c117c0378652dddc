#include "tests/e2e/loopback_partition.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "tests/support/child_process.h"

namespace raftmq::e2e {
namespace {

// Generous: iptables waits for the xtables lock (-w) while another process holds it.
constexpr auto kIptablesWait = std::chrono::seconds(30);

std::string FindIptables() {
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin";  // root's tools, often missing from a test runner's PATH
  std::istringstream stream(dirs);
  for (std::string dir; std::getline(stream, dir, ':');) {
    const std::string path = dir + "/iptables";
    if (!dir.empty() && access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

Status RunIptables(std::vector<std::string> args) {
  const std::string path = FindIptables();
  if (path.empty()) return Status::NotFound("iptables is not installed (deploy/install-deps.sh)");
  args.insert(args.begin(), {"-w", "10"});
  std::string command = path;
  for (const std::string& arg : args) command += " " + arg;
  auto child = test_support::ChildProcess::Start(path, args);
  if (!child.ok()) return child.status();
  auto exit_code = (*child)->WaitForExit(kIptablesWait);
  if (!exit_code.ok()) return Status::Unavailable(command + ": " + exit_code.status().ToString());
  if (*exit_code != 0) {
    return Status::IoError(command + " exited with " + std::to_string(*exit_code) + ": " + (*child)->StderrText());
  }
  return Status::Ok();
}

}  // namespace

std::string PeerHost(int from, int to) {
  static const int salt = 1 + static_cast<int>(getpid() % 254);
  return "127." + std::to_string(salt) + "." + std::to_string(from) + "." + std::to_string(to);
}

std::string LoopbackPartition::Unavailable() {
  if (geteuid() != 0) return "needs root: the test partitions nodes with iptables";
  Status listed = RunIptables({"-S", "INPUT"});
  if (!listed.ok()) return "iptables does not work here: " + listed.ToString();
  return "";
}

LoopbackPartition::~LoopbackPartition() {
  Status healed = Heal();
  if (!healed.ok()) std::fprintf(stderr, "LoopbackPartition: %s\n", healed.ToString().c_str());
}

Status LoopbackPartition::Isolate(int node, int node_port, const std::vector<std::pair<int, int>>& peers) {
  for (const auto& [peer, peer_port] : peers) {
    RMQ_RETURN_IF_ERROR(Drop(PeerHost(node, peer), peer_port));  // node -> peer
    RMQ_RETURN_IF_ERROR(Drop(PeerHost(peer, node), node_port));  // peer -> node
  }
  return Status::Ok();
}

Status LoopbackPartition::Drop(const std::string& host, int port) {
  // Requests to host:port, and the answers from it: loopback packets all pass INPUT.
  for (std::vector<std::string> match : {std::vector<std::string>{"-d", host, "-p", "tcp", "--dport", std::to_string(port)},
                                         std::vector<std::string>{"-s", host, "-p", "tcp", "--sport", std::to_string(port)}}) {
    std::vector<std::string> add = {"-I", "INPUT"};
    add.insert(add.end(), match.begin(), match.end());
    add.insert(add.end(), {"-j", "DROP"});
    RMQ_RETURN_IF_ERROR(RunIptables(add));
    rules_.push_back(std::move(match));
  }
  return Status::Ok();
}

Status LoopbackPartition::Heal() {
  Status first = Status::Ok();
  for (const std::vector<std::string>& match : rules_) {
    std::vector<std::string> remove = {"-D", "INPUT"};
    remove.insert(remove.end(), match.begin(), match.end());
    remove.insert(remove.end(), {"-j", "DROP"});
    Status removed = RunIptables(remove);
    if (first.ok() && !removed.ok()) first = removed;
  }
  rules_.clear();
  return first;
}

}  // namespace raftmq::e2e
