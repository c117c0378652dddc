#include "tests/support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/support/poll.h"

namespace raftmq::test_support {
namespace {

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

Status WaitForTcpPort(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  sockaddr_in address = Loopback(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: " + host);
  }
  std::string last_error;
  // Nothing to await but the server's listen(): retry on a short, bounded interval.
  const bool connected = PollUntil([&] {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    const bool accepted = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    last_error = std::strerror(errno);
    close(fd);
    return accepted;
  }, timeout);
  if (connected) return Status::Ok();
  return Status::Unavailable(host + ":" + std::to_string(port) + " not accepting connections after " +
                             std::to_string(timeout.count()) + " ms: " + last_error);
}

}  // namespace raftmq::test_support
