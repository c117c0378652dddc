// TelemetryReactor: one client's Telemetry stream (bidirectional). Each Settings the client
// sends is answered with the server's (server_settings.h); the stream stays open, reading,
// until the client closes its side or the server shuts down (the clients reopen it after 1 s
// when it ends). Other client commands (stack traces, verification results) answer
// server commands raftmq does not send yet: read and dropped.
//
// Writes: one in flight at a time; a Settings arriving meanwhile replaces the answer that waits
// (only the latest matters), so at most one answer is held: bounded whatever the client sends.
//
// Threading: gRPC calls OnReadDone and OnWriteDone on its threads, possibly at once; the
// write state is guarded by a mutex. Deletes itself in OnDone.
#pragma once

#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "broker/broker_options.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.pb.h"

namespace raftmq::broker::v2 {

class TelemetryReactor final : public grpc::ServerBidiReactor<pb::TelemetryCommand, pb::TelemetryCommand> {
 public:
  explicit TelemetryReactor(const BrokerOptions* options);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // Starts `command`'s write, or holds it while one is in flight. Called with mutex_ held.
  void WriteLocked(pb::TelemetryCommand command);

  const BrokerOptions* const options_;
  pb::TelemetryCommand read_;  // the reading side's buffer: one read at a time
  std::mutex mutex_;
  pb::TelemetryCommand writing_;                 // guarded by mutex_; alive until OnWriteDone
  bool write_in_flight_ = false;                 // guarded by mutex_
  std::optional<pb::TelemetryCommand> waiting_;  // guarded by mutex_
  bool finish_after_write_ = false;              // guarded by mutex_
  bool finished_ = false;                        // guarded by mutex_
};

}  // namespace raftmq::broker::v2
