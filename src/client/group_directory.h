// GroupDirectory: what the client knows of each broker group: its nodes and its leader. Fed
// by every route and cluster answer from a nameserver, corrected at once by a follower's
// leader hint, and rotated to the next node when the believed leader does not answer (a
// follower then names the real leader). A nameserver answer names the leader of the term
// the group last registered: it replaces a belief corrected since only when its term is
// newer, so a dead leader's lingering registration does not send calls back to it.
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "proto/nameserver.pb.h"

namespace raftmq::client {

class GroupDirectory {
 public:
  void Update(const nameserver::GroupInfo& group);
  // A follower's hint: `address` leads `group` now.
  void SetLeader(const std::string& group, const std::string& address);
  // `address` did not answer as leader: believe the next node leads until told otherwise.
  void RotateLeader(const std::string& group, const std::string& address);
  // NotFound for a group never seen; the first node when no node claims to lead.
  Result<std::string> LeaderAddress(const std::string& group) const;
  std::vector<std::string> NodeAddresses(const std::string& group) const;

 private:
  struct Entry {
    std::vector<std::string> nodes;
    std::string leader;             // "" when unknown
    uint64_t nameserver_term = 0;   // the newest leader term a nameserver reported
    bool corrected = false;         // `leader` came from a hint or rotation since that report
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> groups_;  // guarded by mutex_
};

}  // namespace raftmq::client
