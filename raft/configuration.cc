#include "raft/configuration.h"

#include <algorithm>
#include <charconv>

#include "common/assert.h"
#include "storage/little_endian.h"

namespace raftmq::raft {
namespace {

constexpr uint8_t kConfChangeTypeMin = static_cast<uint8_t>(ConfChangeType::kAddLearner);
constexpr uint8_t kConfChangeTypeMax = static_cast<uint8_t>(ConfChangeType::kBootstrap);
static_assert(kConfChangePayloadBytes == 1 + sizeof(NodeId));
// A bootstrap's layout (configuration.h): type, voter count, then per voter id and address length.
constexpr size_t kBootstrapHeaderBytes = 1 + sizeof(uint16_t);
constexpr size_t kBootstrapVoterBytes = sizeof(NodeId) + sizeof(uint16_t);
static_assert(kBootstrapVotersMax <= UINT16_MAX && kPeerAddressBytesMax <= UINT16_MAX);

bool Contains(const std::vector<NodeId>& ids, NodeId node) { return std::binary_search(ids.begin(), ids.end(), node); }

void Insert(std::vector<NodeId>& ids, NodeId node) {
  RMQ_ASSERT(!Contains(ids, node));
  ids.insert(std::lower_bound(ids.begin(), ids.end(), node), node);
}

void Erase(std::vector<NodeId>& ids, NodeId node) {
  auto it = std::lower_bound(ids.begin(), ids.end(), node);
  RMQ_ASSERT(it != ids.end() && *it == node);
  ids.erase(it);
}

std::string DescribeIds(const std::vector<NodeId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i == 0 ? "" : ",") + std::to_string(ids[i]);
  return out + "]";
}

}  // namespace

Status CheckPeerAddress(std::string_view address) {
  const auto refuse = [&](std::string_view why) {
    return Status::InvalidArgument("address '" + std::string(address.substr(0, kPeerAddressBytesMax)) + "' " +
                                   std::string(why) + " (expected host:port)");
  };
  if (address.size() > kPeerAddressBytesMax) return refuse("is too long");
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return refuse("has no host");
  for (char c : address.substr(0, colon)) {
    if (c <= ' ' || c > '~') return refuse("holds a space or a non-printable character");
  }
  const std::string_view port = address.substr(colon + 1);
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return refuse("has no port in 1..65535");
  }
  return Status::Ok();
}

Status CheckConfState(const ConfState& config) {
  if (config.voters.empty()) return Status::InvalidArgument("a configuration without voters");
  std::vector<NodeId> all = config.voters;
  all.insert(all.end(), config.learners.begin(), config.learners.end());
  const bool sorted = std::is_sorted(config.voters.begin(), config.voters.end()) &&
                      std::is_sorted(config.learners.begin(), config.learners.end());
  std::sort(all.begin(), all.end());
  if (!sorted || all.front() == kNoNode || std::adjacent_find(all.begin(), all.end()) != all.end()) {
    return Status::InvalidArgument("malformed configuration " + DescribeConfState(config));
  }
  for (const auto& [id, address] : config.addresses) {
    if (!IsMemberOf(config, id)) {
      return Status::InvalidArgument("configuration " + DescribeConfState(config) + " has an address for a non-member");
    }
    RMQ_RETURN_IF_ERROR(CheckPeerAddress(address).WithContext("node " + std::to_string(id)));
  }
  return Status::Ok();
}

namespace {

std::string EncodeBootstrap(const ConfState& config) {
  RMQ_ASSERT(CheckConfState(config).ok());
  RMQ_ASSERT(config.learners.empty() && config.voters.size() <= kBootstrapVotersMax);
  std::string payload(kBootstrapHeaderBytes, '\0');
  payload[0] = static_cast<char>(ConfChangeType::kBootstrap);
  storage::StoreLittleEndian(payload.data() + 1, static_cast<uint16_t>(config.voters.size()));
  for (NodeId voter : config.voters) {
    const auto found = config.addresses.find(voter);
    const std::string_view address = found == config.addresses.end() ? std::string_view() : found->second;
    char fixed[kBootstrapVoterBytes];
    storage::StoreLittleEndian(fixed, static_cast<uint64_t>(voter));
    storage::StoreLittleEndian(fixed + sizeof(NodeId), static_cast<uint16_t>(address.size()));
    payload.append(fixed, sizeof(fixed));
    payload.append(address);
  }
  return payload;
}

// Bytes from the log: every length is checked before it is read.
Result<ConfChange> DecodeBootstrap(std::string_view payload) {
  RMQ_ASSERT(!payload.empty() && payload[0] == static_cast<char>(ConfChangeType::kBootstrap));
  const auto refuse = [](const std::string& why) { return Status::InvalidArgument("bootstrap configuration " + why); };
  if (payload.size() < kBootstrapHeaderBytes) return refuse("of " + std::to_string(payload.size()) + " bytes");
  const size_t count = storage::LoadLittleEndian<uint16_t>(payload.data() + 1);
  if (count == 0 || count > kBootstrapVotersMax) return refuse("with " + std::to_string(count) + " voters");
  ConfChange change{.type = ConfChangeType::kBootstrap};
  size_t at = kBootstrapHeaderBytes;
  for (size_t i = 0; i < count; ++i) {
    if (payload.size() - at < kBootstrapVoterBytes) return refuse("cut short in voter " + std::to_string(i + 1));
    const NodeId voter = storage::LoadLittleEndian<uint64_t>(payload.data() + at);
    const size_t address_bytes = storage::LoadLittleEndian<uint16_t>(payload.data() + at + sizeof(NodeId));
    at += kBootstrapVoterBytes;
    if (address_bytes > kPeerAddressBytesMax || payload.size() - at < address_bytes) {
      return refuse("with an address of " + std::to_string(address_bytes) + " bytes for voter " + std::to_string(voter));
    }
    change.configuration.voters.push_back(voter);
    if (address_bytes > 0) change.configuration.addresses[voter] = std::string(payload.substr(at, address_bytes));
    at += address_bytes;
  }
  if (at != payload.size()) return refuse("with " + std::to_string(payload.size() - at) + " bytes after its voters");
  // Ids non-zero, ascending and distinct, every address host:port.
  RMQ_RETURN_IF_ERROR(CheckConfState(change.configuration).WithContext("bootstrap configuration"));
  RMQ_ASSERT(change.configuration.voters.size() == count);
  return change;
}

}  // namespace

ConfChange BootstrapChange(const std::vector<NodeId>& voters, const std::map<NodeId, std::string>& addresses) {
  ConfChange change{.type = ConfChangeType::kBootstrap};
  change.configuration.voters = voters;
  std::sort(change.configuration.voters.begin(), change.configuration.voters.end());
  for (const auto& [id, address] : addresses) {
    if (Contains(change.configuration.voters, id)) change.configuration.addresses[id] = address;
  }
  return change;
}

std::string EncodeConfChange(const ConfChange& change) {
  if (change.type == ConfChangeType::kBootstrap) return EncodeBootstrap(change.configuration);
  RMQ_ASSERT(change.node != kNoNode);
  RMQ_ASSERT(change.address.empty() || change.type == ConfChangeType::kAddLearner);
  std::string payload(kConfChangePayloadBytes, '\0');
  payload[0] = static_cast<char>(change.type);
  for (size_t i = 0; i < sizeof(NodeId); ++i) payload[1 + i] = static_cast<char>((change.node >> (8 * i)) & 0xff);
  payload += change.address;
  return payload;
}

Result<ConfChange> DecodeConfChange(std::string_view payload) {
  if (!payload.empty() && payload[0] == static_cast<char>(ConfChangeType::kBootstrap)) return DecodeBootstrap(payload);
  if (payload.size() < kConfChangePayloadBytes) {
    return Status::InvalidArgument("membership change of " + std::to_string(payload.size()) + " bytes, not at least " +
                                   std::to_string(kConfChangePayloadBytes));
  }
  const auto type = static_cast<uint8_t>(payload[0]);
  if (type < kConfChangeTypeMin || type > kConfChangeTypeMax) {
    return Status::InvalidArgument("unknown membership change type " + std::to_string(type));
  }
  const std::string_view address = payload.substr(kConfChangePayloadBytes);
  if (!address.empty()) {
    if (type != static_cast<uint8_t>(ConfChangeType::kAddLearner)) {
      return Status::InvalidArgument("membership change of type " + std::to_string(type) + " with an address");
    }
    RMQ_RETURN_IF_ERROR(CheckPeerAddress(address).WithContext("membership change"));
  }
  NodeId node = 0;
  for (size_t i = 0; i < sizeof(NodeId); ++i) node |= NodeId(static_cast<uint8_t>(payload[1 + i])) << (8 * i);
  if (node == kNoNode) return Status::InvalidArgument("membership change of node 0");
  return ConfChange{.type = static_cast<ConfChangeType>(type), .node = node, .address = std::string(address)};
}

Result<ConfState> ApplyConfChange(const ConfState& config, const ConfChange& change) {
  const bool bootstrap = change.type == ConfChangeType::kBootstrap;
  RMQ_ASSERT(bootstrap || change.node != kNoNode);
  // A joining node before it learned its group: only a bootstrap gives it one.
  if (config.voters.empty() && !bootstrap) return Status::InvalidArgument("no configuration yet to change");
  ConfState next = config;
  const std::string node = std::to_string(change.node);
  switch (change.type) {
    case ConfChangeType::kAddLearner:
      if (IsMemberOf(config, change.node)) return Status::InvalidArgument("node " + node + " is already a member");
      if (!change.address.empty()) RMQ_RETURN_IF_ERROR(CheckPeerAddress(change.address));
      Insert(next.learners, change.node);
      if (!change.address.empty()) next.addresses[change.node] = change.address;
      break;
    case ConfChangeType::kPromote:
      if (!IsLearnerIn(config, change.node)) return Status::InvalidArgument("node " + node + " is not a learner");
      Erase(next.learners, change.node);
      Insert(next.voters, change.node);
      break;
    case ConfChangeType::kRemove:
      if (!IsMemberOf(config, change.node)) return Status::InvalidArgument("node " + node + " is not a member");
      if (IsVoterIn(config, change.node) && config.voters.size() == 1) {
        return Status::InvalidArgument("node " + node + " is the last voter");
      }
      Erase(IsVoterIn(config, change.node) ? next.voters : next.learners, change.node);
      next.addresses.erase(change.node);
      break;
    case ConfChangeType::kBootstrap:
      RMQ_RETURN_IF_ERROR(CheckConfState(change.configuration));
      next = change.configuration;
      break;
  }
  RMQ_ASSERT(!next.voters.empty());
  return next;
}

std::map<NodeId, std::string> PeerAddresses(NodeId self, const std::map<NodeId, std::string>& bootstrap,
                                            const ConfState& config) {
  std::map<NodeId, std::string> peers = config.addresses;
  for (const auto& [id, address] : bootstrap) peers[id] = address;
  peers.erase(self);
  return peers;
}

bool IsVoterIn(const ConfState& config, NodeId node) { return Contains(config.voters, node); }
bool IsLearnerIn(const ConfState& config, NodeId node) { return Contains(config.learners, node); }
bool IsMemberOf(const ConfState& config, NodeId node) { return IsVoterIn(config, node) || IsLearnerIn(config, node); }

std::string DescribeConfState(const ConfState& config) {
  std::string out = "voters=" + DescribeIds(config.voters) + " learners=" + DescribeIds(config.learners);
  if (config.addresses.empty()) return out;
  out += " addresses={";
  for (auto it = config.addresses.begin(); it != config.addresses.end(); ++it) {
    out += (it == config.addresses.begin() ? "" : ",") + std::to_string(it->first) + "=" + it->second;
  }
  return out + "}";
}

std::string DescribeConfChange(const ConfChange& change) {
  if (change.type == ConfChangeType::kBootstrap) return "bootstrap " + DescribeConfState(change.configuration);
  const char* names[] = {"", "add-learner", "promote", "remove"};
  std::string out = std::string(names[static_cast<uint8_t>(change.type)]) + " " + std::to_string(change.node);
  return change.address.empty() ? out : out + " at " + change.address;
}

}  // namespace raftmq::raft
