#include "tests/support/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace raftmq::test_support {

Result<std::string> HttpGet(uint16_t port, const std::string& path, std::chrono::milliseconds timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string where = "http://127.0.0.1:" + std::to_string(port) + path;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int saved_errno = errno;
    close(fd);
    return Status::Unavailable(where + ": " + std::strerror(saved_errno));
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  std::string reply;
  bool failed = send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size());
  char buffer[16384];
  while (!failed) {
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got == 0) break;  // HTTP/1.0: the server closes after the body
    if (got < 0) failed = true;
    else reply.append(buffer, static_cast<size_t>(got));
  }
  const int saved_errno = errno;
  close(fd);
  if (failed) return Status::IoError(where + ": " + std::strerror(saved_errno));
  const size_t body = reply.find("\r\n\r\n");
  if (reply.compare(0, 9, "HTTP/1.0 ") != 0 && reply.compare(0, 9, "HTTP/1.1 ") != 0) {
    return Status::IoError(where + ": not an HTTP reply");
  }
  if (reply.compare(9, 3, "200") != 0 || body == std::string::npos) {
    return Status::IoError(where + ": " + reply.substr(0, reply.find("\r\n")));
  }
  return reply.substr(body + 4);
}

std::optional<double> PrometheusSample(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    // `name{labels} value` or `name value`; comments (# HELP name ...) start with '#'.
    if (line.compare(0, name.size(), name) != 0 || line.size() <= name.size()) continue;
    if (line[name.size()] != '{' && line[name.size()] != ' ') continue;
    try {
      return std::stod(line.substr(line.rfind(' ') + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace raftmq::test_support
