// The Settings a broker answers a RocketMQ 5 client's Telemetry Settings with. The official
// clients finish starting only once they have it, and take from it (whatever they sent):
// - producers: the retry policy of a failed send (an exponential backoff:
//   v2_retry_attempts_max attempts, v2_retry_backoff_ms_min doubling up to
//   v2_retry_backoff_ms_max, as Apache's proxy's 3 x 10 ms..1 s), publishing.max_body_size
//   (max_message_size_bytes; 0 would make the client refuse every message) and
//   validate_message_type (true: every queue accepts NORMAL only, route_mapping.h);
// - consumers (simple and push): fifo (false), receive_batch_size (pull_messages_default,
//   Apache's 32), long_polling_timeout (long_polling_hold_ms_max: no receive waits longer),
//   and the group's retry policy as Apache's proxy gives it for a group with RocketMQ's
//   default (customized) one: max_attempts = max_reconsume_times + 1 (after that many
//   deliveries the broker moves a message to %DLQ%<group>, pop_planner.h) and a customized
//   backoff whose n-th delay is the n-th of message_delay_level (1s 5s 10s 30s 1m ... 2h).
//   A push consumer whose listener fails a message makes it visible again after the delay of
//   its attempt (ChangeInvisibleDuration); the Node.js client 1.0.8 does not read customized
//   backoffs and retries at once.
//
// Threading: a pure function.
#pragma once

#include "broker/broker_options.h"
#include "broker/v2/status_codes.h"

namespace raftmq::broker::v2 {

pb::Settings ServerSettings(const pb::Settings& client, const BrokerOptions& options);

}  // namespace raftmq::broker::v2
