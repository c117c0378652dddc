// NameServerClient: asks the configured nameservers for routes and cluster info, starting
// with the one that answered last and trying the others when it does not answer. Every
// answer also refreshes the GroupDirectory (nodes and leaders).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "client/channel_pool.h"
#include "client/group_directory.h"
#include "common/result.h"
#include "proto/nameserver.pb.h"

namespace raftmq::client {

class NameServerClient {
 public:
  // `pool` and `directory` must outlive the client; `addresses` is non-empty.
  NameServerClient(std::vector<std::string> addresses, int64_t rpc_timeout_ms, ChannelPool* pool,
                   GroupDirectory* directory);

  // NotFound when no live group serves the topic; Unavailable when no nameserver answers.
  Result<nameserver::GetRouteInfoByTopicResponse> GetRoute(const std::string& topic);
  Result<nameserver::GetClusterInfoResponse> GetClusterInfo();

 private:
  // Calls `call(stub, context)` on each nameserver in turn until one gives a definite answer.
  template <typename Call>
  Status CallAny(std::string_view what, const Call& call);

  const std::vector<std::string> addresses_;
  const int64_t rpc_timeout_ms_;
  ChannelPool* const pool_;
  GroupDirectory* const directory_;
  std::atomic<size_t> preferred_{0};  // index of the nameserver that answered last
};

}  // namespace raftmq::client
