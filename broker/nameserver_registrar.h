// NameserverRegistrar: keeps this node in every nameserver's route table — RegisterBroker
// (the node's full state: role, term, topics) to each nameserver every
// register_broker_interval_ms, and at once when Nudge()d (role or leader changed); on Stop,
// UnregisterBroker so routes drop the node before it expires. A node outside its group's
// configuration (removed, or joining and not added yet) is not a member: it unregisters once
// and stays out of the routes until a configuration names it (Nudge on every configuration
// change). A nameserver that does not answer within the call deadline is skipped until the
// next round (logged).
//
// Threading: its own thread; Nudge from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "broker/broker_options.h"
#include "broker/replicator.h"
#include "broker/topic_config_manager.h"
#include "common/background_worker.h"
#include "proto/nameserver.grpc.pb.h"

namespace raftmq::broker {

class NameserverRegistrar {
 public:
  NameserverRegistrar(const BrokerOptions* options, const Replicator* replicator, const TopicConfigManager* topics);
  ~NameserverRegistrar();
  NameserverRegistrar(const NameserverRegistrar&) = delete;
  NameserverRegistrar& operator=(const NameserverRegistrar&) = delete;

  void Start();
  void Nudge();
  void Stop();

  // One round to every nameserver; the number that accepted (tests, and the thread).
  size_t RegisterOnce();

 private:
  nameserver::RegisterBrokerRequest BuildRequest() const;
  // Best effort: expiry covers a nameserver that missed it.
  void Unregister();
  // In the configuration in force (as a voter or a learner).
  bool IsMember() const;
  std::optional<std::chrono::milliseconds> Round();

  const BrokerOptions* const options_;
  const Replicator* const replicator_;
  const TopicConfigManager* const topics_;
  std::vector<std::unique_ptr<nameserver::Nameserver::Stub>> stubs_;
  bool started_ = false;  // owner thread only
  bool stopped_ = false;  // owner thread only
  bool registered_ = false;  // worker thread only: the last round registered
  BackgroundWorker worker_;  // last: its thread stops before the rest goes
};

}  // namespace raftmq::broker
