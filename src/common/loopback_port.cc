#include "common/loopback_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/assert.h"

namespace raftmq {
namespace {

// Binds a reservation socket to 127.0.0.1:`port` (0: the kernel picks) and returns the port.
// SO_REUSEADDR comes after bind(): the bind itself fails if any socket, even another
// reservation, holds the port; the flag then lets our server listen beside the reservation.
// The socket is left open on purpose: closing it would end the reservation.
Result<uint16_t> BindReservation(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  const int on = 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (!bound) {
    const int saved_errno = errno;
    close(fd);
    return Status::IoError("bind 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(saved_errno));
  }
  RMQ_ASSERT(ntohs(address.sin_port) != 0);
  return static_cast<uint16_t>(ntohs(address.sin_port));
}

}  // namespace

Result<uint16_t> ReserveLoopbackPort() { return BindReservation(0); }

Status ReserveLoopbackPort(uint16_t port) {
  RMQ_ASSERT(port != 0);
  return BindReservation(port).status();
}

}  // namespace raftmq
