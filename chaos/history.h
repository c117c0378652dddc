// History: everything a chaos run observed, recorded as it happens and read by the checker and
// the report once the run is over: every send and its outcome, every message a consumer read,
// every fault, every leader change. Times are milliseconds since the run started.
//
// Threading: the Record* methods may be called from any thread; the getters only after every
// recording thread stopped.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace raftmq::chaos {

enum class SendOutcome { kAcknowledged, kFailed, kUnknown };
const char* SendOutcomeName(SendOutcome outcome);

struct SendRecord {
  uint64_t id = 0;         // unique number carried in the body
  bool async = false;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  SendOutcome outcome = SendOutcome::kUnknown;
  std::string group;       // acknowledged: where the broker stored it
  int32_t queue_id = -1;
  int64_t offset = -1;
  std::string error;       // failed or unknown: the client's status
};

// One message as a consumer read it.
struct ReadRecord {
  uint64_t id = 0;
  std::string group;
  int32_t queue_id = 0;
  int64_t offset = 0;
  int64_t at_ms = 0;
};

struct FaultRecord {
  std::string kind;        // the nemesis, e.g. "kill-leader"
  std::string target;      // e.g. "g1n2" or "g1n1 | g1n2 g1n3"
  int64_t start_ms = 0;
  int64_t heal_ms = -1;    // -1: never healed (the run ended first)
  std::string note;        // what went wrong injecting or healing, if anything
  // False when no node could reach a majority of its group both ways during the fault (a
  // 3-node majorities ring is a one-way cycle): no leader can commit until the heal, by
  // design, so its unavailability is reported apart.
  bool majority_connected = true;
};

struct LeaderChange {
  std::string group;
  std::string leader;      // node name, "" when the group has none
  uint64_t term = 0;
  int64_t at_ms = 0;
};

// A broker that exited without the harness killing it; the supervisor restarted it.
struct ProcessExit {
  std::string node;
  int64_t at_ms = 0;       // when the harness noticed
  std::string how;         // "exit code 3", "signal 6"
  int64_t restarted_ms = -1;  // -1: not restarted (the run ended, or the start failed)
};

class History {
 public:
  void RecordSend(SendRecord record);
  void RecordPushRead(ReadRecord record);
  void RecordDrainRead(ReadRecord record);
  // Returns the fault's number, for RecordHeal.
  size_t RecordFault(FaultRecord record);
  void RecordHeal(size_t fault, int64_t heal_ms, const std::string& note);
  void RecordLeader(LeaderChange change);
  // Returns the exit's number, for RecordRestart.
  size_t RecordExit(ProcessExit exit);
  void RecordRestart(size_t exit, int64_t at_ms);

  const std::vector<SendRecord>& sends() const { return sends_; }
  const std::vector<ReadRecord>& push_reads() const { return push_reads_; }
  const std::vector<ReadRecord>& drain_reads() const { return drain_reads_; }
  const std::vector<FaultRecord>& faults() const { return faults_; }
  const std::vector<LeaderChange>& leaders() const { return leaders_; }
  const std::vector<ProcessExit>& exits() const { return exits_; }

 private:
  // Appends under the lock; returns the record's index.
  template <typename Record>
  size_t Append(std::vector<Record>& records, Record record) {
    std::lock_guard lock(mutex_);
    records.push_back(std::move(record));
    return records.size() - 1;
  }

  std::mutex mutex_;
  std::vector<SendRecord> sends_;          // guarded by mutex_
  std::vector<ReadRecord> push_reads_;     // guarded by mutex_
  std::vector<ReadRecord> drain_reads_;    // guarded by mutex_
  std::vector<FaultRecord> faults_;        // guarded by mutex_
  std::vector<LeaderChange> leaders_;      // guarded by mutex_
  std::vector<ProcessExit> exits_;         // guarded by mutex_
};

}  // namespace raftmq::chaos
