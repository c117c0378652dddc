// LogDigest: what this node holds, for comparing the nodes of a group after faults (the chaos
// checker's "every node holds the same committed log and ConsumeQueues"): a CRC32C over the
// committed entries up to an index, and every ConsumeQueue's offset range. Read-only; any node
// answers from its own storage, whatever its role.
//
// Threading: any gRPC thread; reads the CommitLog and ConsumeQueues through their readers.
#pragma once

#include <grpcpp/grpcpp.h>

#include "broker/service_context.h"
#include "proto/admin.pb.h"

namespace raftmq::broker {

// Reading at most this many payload bytes per CommitLog read keeps one digest's memory small.
inline constexpr uint64_t kLogDigestReadBytesMax = 4u << 20;

// INTERNAL naming the index when an entry below the commit index cannot be read.
grpc::Status FillLogDigest(const ServiceContext& context, const admin::LogDigestRequest& request,
                           admin::LogDigestResponse* response);

}  // namespace raftmq::broker
