// Checks of nameserver requests before they touch the route table. Each returns
// InvalidArgument naming the offending field ("topics[2].perm: ..."), or ResourceExhausted
// naming the limit, so a client can fix its request; nothing is changed on failure.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/status.h"
#include "nameserver/nameserver_config.h"
#include "proto/nameserver.pb.h"

namespace raftmq::nameserver {

// Cluster, group and topic names: 1..name_bytes_max of [%|a-zA-Z0-9_-] (RocketMQ's rule,
// common/resource_names.h).
Status ValidateName(std::string_view field, std::string_view name, const NameserverConfig& config);

Status ValidateRegisterRequest(const RegisterBrokerRequest& request, const NameserverConfig& config);
Status ValidateUnregisterRequest(const UnregisterBrokerRequest& request, const NameserverConfig& config);

}  // namespace raftmq::nameserver
