#include "broker/v2/server_settings.h"

#include <google/protobuf/util/time_util.h>

#include "broker/delay_levels.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

constexpr float kBackoffMultiplier = 2;

pb::RetryPolicy SendRetryPolicy(const BrokerOptions& options) {
  pb::RetryPolicy policy;
  policy.set_max_attempts(static_cast<int32_t>(options.v2_retry_attempts_max));
  pb::ExponentialBackoff* backoff = policy.mutable_exponential_backoff();
  *backoff->mutable_initial() = TimeUtil::MillisecondsToDuration(options.v2_retry_backoff_ms_min);
  *backoff->mutable_max() = TimeUtil::MillisecondsToDuration(options.v2_retry_backoff_ms_max);
  backoff->set_multiplier(kBackoffMultiplier);
  return policy;
}

pb::RetryPolicy ConsumerRetryPolicy(const BrokerOptions& options) {
  auto delays_ms = ParseDelayLevels(options.message_delay_level);
  RMQ_ASSERT(delays_ms.ok());  // BrokerOptions::Validate parsed it
  pb::RetryPolicy policy;
  policy.set_max_attempts(options.max_reconsume_times + 1);
  pb::CustomizedBackoff* backoff = policy.mutable_customized_backoff();
  for (const int64_t delay_ms : *delays_ms) *backoff->add_next() = TimeUtil::MillisecondsToDuration(delay_ms);
  return policy;
}

}  // namespace

pb::Settings ServerSettings(const pb::Settings& client, const BrokerOptions& options) {
  pb::Settings server;
  if (client.has_client_type()) server.set_client_type(client.client_type());
  if (client.has_access_point()) *server.mutable_access_point() = client.access_point();
  if (client.has_request_timeout()) *server.mutable_request_timeout() = client.request_timeout();
  if (client.has_subscription()) {
    *server.mutable_backoff_policy() = ConsumerRetryPolicy(options);
    pb::Subscription* subscription = server.mutable_subscription();
    *subscription = client.subscription();
    subscription->set_fifo(false);
    subscription->set_receive_batch_size(static_cast<int32_t>(options.pull_messages_default));
    *subscription->mutable_long_polling_timeout() = TimeUtil::MillisecondsToDuration(options.long_polling_hold_ms_max);
  } else {
    *server.mutable_backoff_policy() = SendRetryPolicy(options);
    pb::Publishing* publishing = server.mutable_publishing();
    *publishing->mutable_topics() = client.publishing().topics();
    publishing->set_max_body_size(static_cast<int32_t>(options.max_message_size_bytes));
    publishing->set_validate_message_type(true);
  }
  return server;
}

}  // namespace raftmq::broker::v2
