// The Settings a broker answers a RocketMQ 5 client's Telemetry Settings with. The official
// clients finish starting only once they have it, and take from it (whatever they sent):
// the retry policy (an exponential backoff: v2_retry_attempts_max attempts,
// v2_retry_backoff_ms_min doubling up to v2_retry_backoff_ms_max, as Apache's proxy's 3 x
// 10 ms..1 s), for producers publishing.max_body_size (max_message_size_bytes; 0 would make
// the client refuse every message) and validate_message_type (true: every queue accepts
// NORMAL only, route_mapping.h), for consumers fifo (false), receive_batch_size
// (pull_messages_default) and long_polling_timeout (long_polling_hold_ms_max).
//
// Threading: a pure function.
#pragma once

#include "broker/broker_options.h"
#include "broker/v2/status_codes.h"

namespace raftmq::broker::v2 {

pb::Settings ServerSettings(const pb::Settings& client, const BrokerOptions& options);

}  // namespace raftmq::broker::v2
