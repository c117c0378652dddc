#include "broker/tag_filter.h"

#include "storage/consume_queue.h"

namespace raftmq::broker {
namespace {

constexpr size_t kTagsMax = 64;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

Result<TagFilter> TagFilter::Parse(std::string_view expression) {
  TagFilter filter;
  expression = Trim(expression);
  if (expression.empty() || expression == "*") return filter;
  filter.all_ = false;
  size_t position = 0;
  while (true) {
    size_t end = expression.find("||", position);
    std::string_view tag = Trim(expression.substr(position, end == std::string_view::npos ? end : end - position));
    if (tag.empty()) return Status::InvalidArgument("tag expression '" + std::string(expression) + "' has an empty tag");
    if (filter.tags_.size() == kTagsMax) return Status::InvalidArgument("tag expression lists more than 64 tags");
    filter.tags_.emplace(tag);
    filter.hashes_.insert(storage::TagHash(tag));
    if (end == std::string_view::npos) break;
    position = end + 2;
  }
  return filter;
}

}  // namespace raftmq::broker
