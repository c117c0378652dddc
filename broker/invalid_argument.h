// The answer of a broker request check that failed: INVALID_ARGUMENT, with a message naming
// what was wrong. One definition for every check (sends, pulls, topics, pop state).
//
// Threading: a pure function.
#pragma once

#include <string>
#include <utility>

#include <grpcpp/support/status.h>

namespace raftmq::broker {

inline grpc::Status InvalidArgument(std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)};
}

}  // namespace raftmq::broker
