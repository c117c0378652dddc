#include "storage/meta_codec.h"

#include <vector>

#include "common/assert.h"
#include "storage/little_endian.h"

namespace raftmq::storage {

namespace {
constexpr size_t kQueueIdBytes = 4;
}  // namespace

Status CheckMetaName(std::string_view what, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " holds a NUL byte");
  }
  return Status::Ok();
}

std::string ConsumerOffsetGroupPrefix(std::string_view group) {
  std::string prefix(group);
  prefix.push_back('\0');
  return prefix;
}

std::string EncodeConsumerOffsetKey(const ConsumerOffsetKey& key) {
  RMQ_ASSERT(key.group.find('\0') == std::string::npos);
  RMQ_ASSERT(key.topic.find('\0') == std::string::npos);
  std::string bytes = ConsumerOffsetGroupPrefix(key.group);
  bytes.append(key.topic);
  bytes.push_back('\0');
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((key.queue_id >> shift) & 0xff));
  return bytes;
}

Result<ConsumerOffsetKey> DecodeConsumerOffsetKey(std::string_view bytes) {
  const size_t group_end = bytes.find('\0');
  if (group_end == std::string_view::npos || bytes.size() < group_end + 1 + 1 + kQueueIdBytes) {
    return Status::Corruption("consumer offset key too short");
  }
  const std::string_view topic = bytes.substr(group_end + 1, bytes.size() - group_end - 2 - kQueueIdBytes);
  if (bytes[bytes.size() - kQueueIdBytes - 1] != '\0' || topic.find('\0') != std::string_view::npos) {
    return Status::Corruption("consumer offset key without topic separator");
  }
  ConsumerOffsetKey key{std::string(bytes.substr(0, group_end)), std::string(topic), 0};
  for (size_t i = bytes.size() - kQueueIdBytes; i < bytes.size(); ++i) {
    key.queue_id = (key.queue_id << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return key;
}

std::string EncodeUint64(uint64_t value) {
  std::string bytes;
  AppendLittleEndian(&bytes, value);
  return bytes;
}

Result<uint64_t> DecodeUint64(std::string_view bytes) {
  if (bytes.size() != sizeof(uint64_t)) {
    return Status::Corruption("expected 8 bytes, found " + std::to_string(bytes.size()));
  }
  return LoadLittleEndian<uint64_t>(bytes.data());
}

std::string EncodeHardState(const HardState& state) {
  std::string bytes;
  AppendLittleEndian(&bytes, state.term.value());
  AppendLittleEndian(&bytes, static_cast<uint64_t>(state.voted_for));
  AppendLittleEndian(&bytes, state.commit.value());
  RMQ_ASSERT(bytes.size() == kHardStateValueSize);
  return bytes;
}

Result<HardState> DecodeHardState(std::string_view bytes) {
  if (bytes.size() != kHardStateValueSize) {
    return Status::Corruption("hard state of " + std::to_string(bytes.size()) + " bytes");
  }
  HardState state;
  state.term = Term(LoadLittleEndian<uint64_t>(bytes.data()));
  state.voted_for = LoadLittleEndian<uint64_t>(bytes.data() + 8);
  state.commit = Index(LoadLittleEndian<uint64_t>(bytes.data() + 16));
  return state;
}

namespace {

void AppendIds(std::string* bytes, const std::vector<NodeId>& ids) {
  AppendLittleEndian(bytes, static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) AppendLittleEndian(bytes, static_cast<uint64_t>(id));
}

// Reads a count and that many ids from `*bytes`, consuming them.
Result<std::vector<NodeId>> TakeIds(std::string_view* bytes) {
  if (bytes->size() < sizeof(uint32_t)) return Status::Corruption("configuration record cut before a member count");
  const uint32_t count = LoadLittleEndian<uint32_t>(bytes->data());
  bytes->remove_prefix(sizeof(uint32_t));
  if (bytes->size() / sizeof(uint64_t) < count) return Status::Corruption("configuration record cut among its members");
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ids.push_back(LoadLittleEndian<uint64_t>(bytes->data()));
    bytes->remove_prefix(sizeof(uint64_t));
  }
  return ids;
}

}  // namespace

std::string EncodeConfRecord(const ConfRecord& record) {
  std::string bytes;
  bytes.push_back(static_cast<char>(kConfRecordVersion));
  AppendLittleEndian(&bytes, record.index.value());
  AppendIds(&bytes, record.conf.voters);
  AppendIds(&bytes, record.conf.learners);
  AppendLittleEndian(&bytes, static_cast<uint32_t>(record.conf.addresses.size()));
  for (const auto& [id, address] : record.conf.addresses) {
    AppendLittleEndian(&bytes, static_cast<uint64_t>(id));
    AppendLittleEndian(&bytes, static_cast<uint32_t>(address.size()));
    bytes += address;
  }
  return bytes;
}

Result<ConfRecord> DecodeConfRecord(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kConfRecordVersion) {
    return Status::Corruption("configuration record of an unknown version");
  }
  bytes.remove_prefix(1);
  if (bytes.size() < sizeof(uint64_t)) return Status::Corruption("configuration record cut before its index");
  ConfRecord record;
  record.index = Index(LoadLittleEndian<uint64_t>(bytes.data()));
  bytes.remove_prefix(sizeof(uint64_t));
  RMQ_ASSIGN_OR_RETURN(record.conf.voters, TakeIds(&bytes));
  RMQ_ASSIGN_OR_RETURN(record.conf.learners, TakeIds(&bytes));
  if (bytes.size() < sizeof(uint32_t)) return Status::Corruption("configuration record cut before its addresses");
  const uint32_t addresses = LoadLittleEndian<uint32_t>(bytes.data());
  bytes.remove_prefix(sizeof(uint32_t));
  for (uint32_t i = 0; i < addresses; ++i) {
    if (bytes.size() < sizeof(uint64_t) + sizeof(uint32_t)) {
      return Status::Corruption("configuration record cut among its addresses");
    }
    const NodeId id = LoadLittleEndian<uint64_t>(bytes.data());
    const uint32_t size = LoadLittleEndian<uint32_t>(bytes.data() + sizeof(uint64_t));
    bytes.remove_prefix(sizeof(uint64_t) + sizeof(uint32_t));
    if (bytes.size() < size) return Status::Corruption("configuration record cut inside an address");
    record.conf.addresses.emplace(id, std::string(bytes.substr(0, size)));
    bytes.remove_prefix(size);
  }
  if (!bytes.empty()) return Status::Corruption("configuration record with trailing bytes");
  return record;
}

}  // namespace raftmq::storage
