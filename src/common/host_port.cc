#include "common/host_port.h"

#include <charconv>

namespace raftmq {
namespace {

constexpr size_t kHostBytesMax = 253;  // the longest DNS name

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool IsIpv6Char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return Status::InvalidArgument("'" + std::string(text) + "' lacks ':port'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() > kHostBytesMax) {
    return Status::InvalidArgument("'" + std::string(text) + "' has an empty or overlong host");
  }
  for (char c : host) {
    if (!(bracketed ? IsIpv6Char(c) : IsHostChar(c))) {
      return Status::InvalidArgument("'" + std::string(text) + "' has a bad character in its host");
    }
  }
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("'" + std::string(text) + "' has a bad port (expected 0..65535)");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace raftmq
