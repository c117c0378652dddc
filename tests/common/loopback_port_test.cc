#include "common/loopback_port.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace raftmq {
namespace {

// Binds a socket the way our servers do (SO_REUSEADDR, then listen); true if it listens.
bool ListenAsAServer(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool listening = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
                         bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 && listen(fd, 1) == 0;
  if (fd >= 0) close(fd);
  return listening;
}

TEST(LoopbackPort, AReservedPortCannotBeReservedAgainButAServerListensOnIt) {
  auto port = ReserveLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  Status again = ReserveLoopbackPort(*port);
  EXPECT_TRUE(again.IsIoError()) << "a second reservation of " << *port << ": " << again.ToString();
  EXPECT_TRUE(ListenAsAServer(*port)) << "a server with SO_REUSEADDR cannot listen on its reservation " << *port;
}

TEST(LoopbackPort, NeverHandsOutAPortItReservedBefore) {
  auto first = ReserveLoopbackPort();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (int i = 0; i < 200; ++i) {
    auto next = ReserveLoopbackPort();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    ASSERT_NE(*next, *first);
  }
}

}  // namespace
}  // namespace raftmq
