// Topology: the cluster a chaos run drives — a raftmq-nameserver and `groups` broker groups of
// `nodes` raftmq-broker processes, each node in its own network namespace on a bridge (so a
// partition drops real packets with iptables inside the namespaces), its data on its own small
// tmpfs (so the disk can be filled) under a raftmq-lazyfs mount (so a power cut can drop what
// it did not fsync), and its own boot-id file (so the broker learns it lost power). In
// loopback mode everything runs on 127.0.0.1 in plain directories, with no network, disk or
// power faults.
//
// Layout under out_dir: commands.log; nameserver/{nameserver.toml,nameserver.log};
// gGnN/{broker.toml,broker.log,lazyfs.log,boot_id,disk/ (tmpfs),data/ (the broker's data dir)}.
// Teardown kills every process, unmounts everything, deletes the namespaces and the bridge; a
// failing run keeps a copy of each node's data in gGnN/data-kept/.
//
// Threading: one thread (the nemesis schedule, then main) drives it; addresses are read-only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "chaos/options.h"
#include "common/result.h"

namespace raftmq::chaos {

struct ChaosNode {
  int group = 1;               // from 1
  int number = 1;              // from 1, the broker's node_id
  std::string name;            // gGnN
  std::string address;         // host:port clients and peers dial
  std::string ip;
  std::string netns;           // "" in loopback mode
  std::string dir;             // out_dir/gGnN
  std::string disk_dir;        // tmpfs mount ("" in loopback mode)
  std::string data_dir;        // the broker's data_dir
  std::string lazyfs_backing;  // "" without lazyfs
  pid_t pid = -1;
  pid_t lazyfs_pid = -1;
  bool paused = false;
};

class Topology {
 public:
  static Result<std::unique_ptr<Topology>> Start(const ChaosOptions& options, bool with_lazyfs);
  ~Topology();

  // Kills and unmounts everything; with keep_data, copies each node's data to data-kept/ first.
  void Teardown(bool keep_data);

  std::vector<ChaosNode>& nodes() { return nodes_; }
  const std::vector<ChaosNode>& nodes() const { return nodes_; }
  const std::string& nameserver_address() const { return nameserver_address_; }
  bool has_network() const { return !options_.loopback; }
  // Indexes into nodes() of group `group`.
  std::vector<size_t> GroupNodes(int group) const;

  Status StartBroker(size_t node);
  Status KillBroker(size_t node);
  Status PauseBroker(size_t node);
  Status ResumeBroker(size_t node);
  bool BrokerRunning(size_t node);
  // Brokers that exited by themselves since the last call (not killed by KillBroker), each
  // with how it ended ("exit code 3", "signal 6"); they count as stopped from then on.
  std::vector<std::pair<size_t, std::string>> ReapExited();

  // Node `target` drops every packet from node `source` (one direction).
  Status DropTraffic(size_t target, size_t source);
  Status HealNetwork();
  // Whether some node of `group` still exchanges packets both ways with a majority of it
  // (itself included) under the drops in force: else no leader can commit until the heal.
  bool MajorityConnected(int group) const;

  // Fills node's data file system to the last byte, and frees it again.
  Status FillDisk(size_t node);
  Status FreeDisk(size_t node);
  // With the broker killed: drops what it did not fsync and gives it a new boot id.
  Status CutPower(size_t node);

 private:
  explicit Topology(const ChaosOptions& options) : options_(options) {}
  Status SetUpNetwork();
  Status SetUpNode(ChaosNode& node, bool with_lazyfs);
  Status StartNameserver();
  Status WriteBrokerConfig(const ChaosNode& node);
  Status WriteBootId(const ChaosNode& node);
  std::vector<std::string> InNamespace(const ChaosNode& node, std::vector<std::string> argv) const;

  const ChaosOptions options_;
  std::string tag_;              // unique per run: names of namespaces and links
  std::string subnet_;           // "10.X.Y." in namespace mode
  std::string bridge_;
  std::string nameserver_address_;
  pid_t nameserver_pid_ = -1;
  std::vector<ChaosNode> nodes_;
  std::vector<std::string> mounts_;  // in mount order
  std::set<std::pair<size_t, size_t>> dropped_;  // (target, source) of DropTraffic since the heal
  bool torn_down_ = false;
};

}  // namespace raftmq::chaos
