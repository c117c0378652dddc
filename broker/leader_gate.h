// LeaderGate: the rule that writes (and reads of replicated state that must not go back in
// time) are served only by a leader that has applied everything committed before its term.
// A follower answers UNAVAILABLE with the leader's address in trailing metadata
// `raftmq-leader-address` (when known), so clients follow it; a leader still applying its
// predecessor's entries answers UNAVAILABLE (retry shortly) without a hint. Every UNAVAILABLE
// the broker answers is made by Refuse and marked `raftmq-refused`, so a client can tell it
// from a connection lost mid-call (which may have stored a write).
//
// Reads of replicated state (pulls, consumer offsets, topic descriptions and lists, group
// lag) follow the read rule (Read): the leader reads its applied state first, on the caller's
// thread, then confirms with a majority, in a heartbeat round started after that read, that it
// still leads (raft ReadIndex), and only then answers. So a leader cut off from its group stops
// answering reads as soon as a new leader could exist, instead of serving its old state.
//
// Why reading before the round is linearizable: the read sees every write acknowledged before
// the request arrived (this leader acknowledges a write only after applying it, and Check()
// saw its own no-op applied, so every earlier term's entries too), and nothing uncommitted.
// A majority answering a round started after the read proves no newer leader had committed
// anything by then, so the state read was the group's state at the moment of the read. Reading
// first keeps the CommitLog read off the Raft loop and overlaps it with the round trip.
//
// Also maps a failed proposal's Status to the client-facing gRPC status.
//
// Threading: every method from any thread.
#pragma once

#include <functional>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "broker/broker_options.h"
#include "broker/broker_state_machine.h"
#include "broker/replicator.h"
#include "common/metadata_keys.h"
#include "common/status.h"

namespace raftmq::broker {

class LeaderGate {
 public:
  LeaderGate(const BrokerOptions* options, const Replicator* replicator, const BrokerStateMachine* machine);

  // OK on a leader that serves; otherwise UNAVAILABLE (hint added to `context`).
  grpc::Status Check(grpc::CallbackServerContext* context) const;

  // The read rule: Check(), then `read` (on this thread; it fills the response and returns
  // the call's status), then the barrier. `done` runs once, on any thread (Raft's loop when the
  // barrier passes; keep it short), with read's status once the barrier passed, or with
  // UNAVAILABLE (+ hint) when Check() or the barrier failed: then what `read` produced must
  // not be sent (it may be stale), trailing metadata included.
  void Read(grpc::CallbackServerContext* context, const std::function<grpc::Status()>& read,
            std::function<void(grpc::Status)> done) const;
  // Read, then reactor->Finish with its status.
  void FinishRead(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                  const std::function<grpc::Status()>& read) const;

  // A proposal's failure. Definite ("not stored"): Unavailable -> UNAVAILABLE (+ hint), NoSpace
  // and ResourceExhausted -> RESOURCE_EXHAUSTED, InvalidArgument -> INVALID_ARGUMENT. Unknown
  // ("the entry may still commit": raft::Node answers Aborted once the entry was appended and
  // may have been sent) -> ABORTED (+ hint); clients treat it as unknown and a retry is
  // at-least-once. Anything else INTERNAL.
  grpc::Status FromProposeError(const Status& status, grpc::CallbackServerContext* context) const;

  // "" while unknown.
  std::string LeaderAddress() const;

  // UNAVAILABLE with `message`: marked as this broker's refusal (kRefusedKey; nothing was
  // done), with the leader's address when another node is known to lead.
  grpc::Status Refuse(grpc::CallbackServerContext* context, std::string message) const;

 private:
  void AddHint(grpc::CallbackServerContext* context) const;

  const BrokerOptions* const options_;
  const Replicator* const replicator_;
  const BrokerStateMachine* const machine_;
};

}  // namespace raftmq::broker
