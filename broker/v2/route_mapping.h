// A topic's route as RocketMQ 5 clients take it (QueryRoute): raftmq's nameserver route
// (every broker group serving the topic, its leader and queue counts) as MessageQueues.
//
// Per group that has a leader, one MessageQueue per queue id below max(read, write queue
// count): broker name = the group, broker id 0 (the clients send only to id 0, the node that
// takes writes), endpoints = the leader's address, permission from the group's perm bits and
// whether the id is below each count, accept_message_types = [NORMAL]. A group without a
// leader is left out: nothing could be sent to it, and the clients query again (every 30 s,
// and a new leader registers at once).
//
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/definition.pb.h"
#include "proto/nameserver.pb.h"

namespace raftmq::broker::v2 {

std::vector<pb::MessageQueue> ToMessageQueues(const nameserver::GetRouteInfoByTopicResponse& route);
std::vector<pb::Assignment> ToAssignments(const nameserver::GetRouteInfoByTopicResponse& route);

// "host:port" as Endpoints: IPv4, IPv6 ("[::1]:port") or a domain name.
pb::Endpoints ToEndpoints(const std::string& host_port);

}  // namespace raftmq::broker::v2
