// Mapping between RocketMQ 5 messages (apache.rocketmq.v2.Message) and raftmq's own
// (messaging::Message, as the send path stores them and pulls return them).
//
// What maps: topic, tag, keys, user properties <-> properties, body, the producer's message
// id (kept unchanged: it is the id both APIs show), born timestamp, queue id. What raftmq does
// not store yet is refused before anything is proposed, with the v2 code and the field's
// name: a resource namespace and a GZIP body (UNSUPPORTED), a message type other than NORMAL
// (UNSUPPORTED: every raftmq queue accepts NORMAL only), a NORMAL message with a
// message_group or delivery_timestamp (MESSAGE_PROPERTY_CONFLICT_WITH_TYPE).
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.pb.h"
#include "proto/messaging.pb.h"

namespace raftmq::broker::v2 {

// `request` as raftmq's send: one batch for one topic and one queue, as the official clients
// send (a batch mixing topics or queues is BAD_REQUEST). Non-OK: `out` is not to be used.
// Checked here: the v2 rules above, message ids (ILLEGAL_MESSAGE_ID), topic names
// (ILLEGAL_TOPIC), empty bodies (MESSAGE_BODY_EMPTY), bodies over `body_bytes_max`
// (MESSAGE_BODY_TOO_LARGE) and an MD5 body digest that does not match (MESSAGE_CORRUPTED);
// the rest is the shared send path's (send_validator.h).
pb::Status ToSendRequest(const pb::SendMessageRequest& request, uint64_t body_bytes_max,
                         messaging::SendMessageRequest* out);

// The v2 answer for the send path's `status` and, when OK, its results (one entry per
// message: id and queue offset).
void ToSendResponse(const grpc::Status& status, const messaging::SendMessageResponse& sent,
                    pb::SendMessageResponse* out);

// A stored message as a RocketMQ 5 consumer receives it: the producer's id, MD5 body digest
// (upper-case hex), born and store timestamps, `store_host`, queue id and offset, delivery
// attempt reconsume_times + 1. The seam for the pop path (ReceiveMessage).
pb::Message ToV2Message(const messaging::MessageExt& stored, const std::string& store_host);

// MD5 of `body` in upper-case hex, as RocketMQ's body_digest.
std::string BodyMd5Hex(std::string_view body);

}  // namespace raftmq::broker::v2
