// How our gRPC servers listen.
//
// Thread-safety: call while building the server, from the thread that builds it.
#pragma once

#include <string>

#include <grpcpp/server_builder.h>

namespace raftmq {

// Adds `address` as the builder's listening port with SO_REUSEPORT off. gRPC turns it on by
// default, so a second broker or nameserver started on a port already in use would listen too
// and the kernel would split new connections between the two processes without a word; with
// it off the second one fails to start ("cannot listen"). *port is set by BuildAndStart: 0 if
// it could not listen.
void ListenExclusively(grpc::ServerBuilder* builder, const std::string& address, int* port);

}  // namespace raftmq
