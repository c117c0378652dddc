// Push consumer options at test speed: long polls of 0.5 s, offsets persisted every 200 ms,
// heartbeats every 300 ms, the consumer list checked every 100 ms. Shared by the integration
// tests' fixture and the client_test_consumer child process, so every consumer of a test's
// group heartbeats and rebalances alike.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "client/client_options.h"

namespace raftmq::client::testing {

inline PushConsumerOptions TestSpeedConsumerOptions(const ClientOptions& client, const std::string& consumer_group) {
  PushConsumerOptions options;
  options.client = client;
  options.consumer_group = consumer_group;
  options.consume_from_where = ConsumeFromWhere::kFirstOffset;
  options.long_polling_timeout_ms = 500;
  options.persist_consumer_offset_interval_ms = 200;
  options.rebalance_interval_ms = 2000;
  options.heartbeat_broker_interval_ms = 300;
  options.consumer_list_check_interval_ms = 100;
  options.pull_time_delay_ms_when_exception = 100;
  options.consume_thread_count = 4;
  return options;
}

}  // namespace raftmq::client::testing
