#include "broker/v2/receipt_handle.h"

#include <charconv>

namespace raftmq::broker::v2 {
namespace {

constexpr char kSeparator = ':';

// The decimal number before the next separator of `text`, which moves past it.
template <typename Number>
std::optional<Number> TakeNumber(std::string_view* text) {
  const size_t end = text->find(kSeparator);
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  Number value{};
  const auto [rest, error] = std::from_chars(text->data(), text->data() + end, value);
  if (error != std::errc() || rest != text->data() + end) return std::nullopt;
  text->remove_prefix(end + 1);
  return value;
}

}  // namespace

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  return std::to_string(handle.queue_id) + kSeparator + std::to_string(handle.offset) + kSeparator +
         std::to_string(handle.epoch) + kSeparator + std::to_string(handle.deadline_ms) + kSeparator + handle.topic;
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  ReceiptHandle handle;
  auto queue_id = TakeNumber<int32_t>(&text);
  if (!queue_id || *queue_id < 0) return std::nullopt;
  auto offset = TakeNumber<int64_t>(&text);
  if (!offset || *offset < 0) return std::nullopt;
  auto epoch = TakeNumber<int64_t>(&text);
  if (!epoch || *epoch <= 0) return std::nullopt;
  auto deadline_ms = TakeNumber<int64_t>(&text);
  if (!deadline_ms || *deadline_ms < 0) return std::nullopt;
  if (text.empty()) return std::nullopt;
  handle.topic = std::string(text);
  handle.queue_id = *queue_id;
  handle.offset = *offset;
  handle.epoch = *epoch;
  handle.deadline_ms = *deadline_ms;
  return handle;
}

}  // namespace raftmq::broker::v2
