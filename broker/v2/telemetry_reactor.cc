#include "broker/v2/telemetry_reactor.h"

#include <utility>

#include "broker/v2/server_settings.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {

TelemetryReactor::TelemetryReactor(const BrokerOptions* options) : options_(options) { StartRead(&read_); }

void TelemetryReactor::OnReadDone(bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!ok) {
    // The client closed its side (or the call was cancelled): finish once no write is out.
    if (write_in_flight_) {
      finish_after_write_ = true;
    } else if (!finished_) {
      finished_ = true;
      Finish(grpc::Status::OK);
    }
    return;
  }
  if (read_.has_settings() && !finished_) {
    pb::TelemetryCommand answer;
    *answer.mutable_status() = OkStatus();
    *answer.mutable_settings() = ServerSettings(read_.settings(), *options_);
    WriteLocked(std::move(answer));
  }
  read_.Clear();
  StartRead(&read_);
}

void TelemetryReactor::WriteLocked(pb::TelemetryCommand command) {
  if (write_in_flight_) {
    waiting_ = std::move(command);
    return;
  }
  writing_ = std::move(command);
  write_in_flight_ = true;
  StartWrite(&writing_);
}

void TelemetryReactor::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  RMQ_ASSERT(write_in_flight_);
  write_in_flight_ = false;
  if (ok && waiting_ && !finish_after_write_) {
    pb::TelemetryCommand next = std::move(*waiting_);
    waiting_.reset();
    WriteLocked(std::move(next));
    return;
  }
  waiting_.reset();
  if (finish_after_write_ && !finished_) {
    finished_ = true;
    Finish(grpc::Status::OK);
  }
}

void TelemetryReactor::OnDone() { delete this; }

}  // namespace raftmq::broker::v2
