#include "common/grpc_listen.h"

#include <grpcpp/security/server_credentials.h>

namespace raftmq {

void ListenExclusively(grpc::ServerBuilder* builder, const std::string& address, int* port) {
  builder->AddListeningPort(address, grpc::InsecureServerCredentials(), port);
  builder->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace raftmq
