#include "chaos/history.h"

#include <utility>

namespace raftmq::chaos {

const char* SendOutcomeName(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kAcknowledged: return "acknowledged";
    case SendOutcome::kFailed: return "failed";
    case SendOutcome::kUnknown: return "unknown";
  }
  return "unknown";
}

void History::RecordSend(SendRecord record) { Append(sends_, std::move(record)); }

void History::RecordPushRead(ReadRecord record) { Append(push_reads_, std::move(record)); }

void History::RecordDrainRead(ReadRecord record) { Append(drain_reads_, std::move(record)); }

size_t History::RecordFault(FaultRecord record) { return Append(faults_, std::move(record)); }

size_t History::RecordExit(ProcessExit exit) { return Append(exits_, std::move(exit)); }

void History::RecordRestart(size_t exit, int64_t at_ms) {
  std::lock_guard lock(mutex_);
  exits_[exit].restarted_ms = at_ms;
}

void History::RecordHeal(size_t fault, int64_t heal_ms, const std::string& note) {
  std::lock_guard lock(mutex_);
  faults_[fault].heal_ms = heal_ms;
  if (!note.empty()) faults_[fault].note += (faults_[fault].note.empty() ? "" : "; ") + note;
}

void History::RecordLeader(LeaderChange change) { Append(leaders_, std::move(change)); }

}  // namespace raftmq::chaos
