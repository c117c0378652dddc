// Transport: how raft::Node hands outgoing messages to the network, and how messages that
// arrive reach a node (a MessageHandler, usually Node::Deliver).
//
// Delivery is best effort, like the network Raft is specified over: a message may be lost,
// delayed or duplicated, never altered. Send never blocks on the network; an implementation
// queues per destination (bounded) and drops and counts what does not fit.
//
// Threading: Send is called from the node loop thread; a MessageHandler may be called from
// any transport thread, concurrently.
#pragma once

#include <functional>
#include <vector>

#include "raft/message.h"

namespace raftmq::raft {

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues each message for its `to`; consumes the messages (payloads are moved, not copied).
  virtual void Send(std::vector<Message> messages) = 0;
};

// Receives validated messages addressed to this node, in the order one source sent them.
using MessageHandler = std::function<void(std::vector<Message> messages)>;

}  // namespace raftmq::raft
