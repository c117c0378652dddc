// TagFilter: a RocketMQ tag expression ("*" or "" = every message, "a || b" = tag a or tag b).
// The broker filters by the ConsumeQueue's tag hash first (no CommitLog read for a message
// that cannot match), then by the exact tag once the message is decoded (hashes collide).
//
// Threading: immutable after Parse.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace raftmq::broker {

class TagFilter {
 public:
  // InvalidArgument on an empty alternative ("a ||") or more than tags_max tags.
  static Result<TagFilter> Parse(std::string_view expression);

  bool MatchesHash(uint64_t tag_hash) const { return all_ || hashes_.contains(tag_hash); }
  bool MatchesTag(const std::string& tag) const { return all_ || tags_.contains(tag); }
  bool all() const { return all_; }

 private:
  bool all_ = true;
  std::set<std::string> tags_;
  std::set<uint64_t> hashes_;
};

}  // namespace raftmq::broker
