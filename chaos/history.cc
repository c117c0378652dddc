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

void History::RecordSend(SendRecord record) {
  std::lock_guard lock(mutex_);
  sends_.push_back(std::move(record));
}

void History::RecordPushRead(ReadRecord record) {
  std::lock_guard lock(mutex_);
  push_reads_.push_back(std::move(record));
}

void History::RecordDrainRead(ReadRecord record) {
  std::lock_guard lock(mutex_);
  drain_reads_.push_back(std::move(record));
}

size_t History::RecordFault(FaultRecord record) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(record));
  return faults_.size() - 1;
}

void History::RecordHeal(size_t fault, int64_t heal_ms, const std::string& note) {
  std::lock_guard lock(mutex_);
  faults_[fault].heal_ms = heal_ms;
  if (!note.empty()) faults_[fault].note += (faults_[fault].note.empty() ? "" : "; ") + note;
}

void History::RecordLeader(LeaderChange change) {
  std::lock_guard lock(mutex_);
  leaders_.push_back(std::move(change));
}

}  // namespace raftmq::chaos
