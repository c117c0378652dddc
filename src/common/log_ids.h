// Index and Term: the two coordinates of a Raft log entry, shared by storage/ (the CommitLog
// is the Raft log) and raft/. Distinct types so an index is never passed where a term (or a
// count) is meant. Index 0 and term 0 mean "none": the first entry has index 1.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace raftmq {

template <typename Tag>
class LogCoordinate {
 public:
  constexpr LogCoordinate() = default;
  constexpr explicit LogCoordinate(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }
  constexpr auto operator<=>(const LogCoordinate&) const = default;

  // Stepping along the log; a distance between two coordinates is a plain count.
  constexpr LogCoordinate operator+(uint64_t count) const { return LogCoordinate(value_ + count); }
  constexpr LogCoordinate operator-(uint64_t count) const { return LogCoordinate(value_ - count); }
  constexpr uint64_t operator-(LogCoordinate other) const { return value_ - other.value_; }
  constexpr LogCoordinate& operator++() {
    ++value_;
    return *this;
  }

  friend std::ostream& operator<<(std::ostream& out, LogCoordinate c) { return out << c.value_; }

 private:
  uint64_t value_ = 0;
};

struct IndexTag {};
struct TermTag {};
using Index = LogCoordinate<IndexTag>;
using Term = LogCoordinate<TermTag>;

}  // namespace raftmq

template <typename Tag>
struct std::hash<raftmq::LogCoordinate<Tag>> {
  size_t operator()(raftmq::LogCoordinate<Tag> c) const noexcept { return std::hash<uint64_t>{}(c.value()); }
};

namespace raftmq {
// A node of a broker group, numbered from 1 in the group's configuration; 0 means "none"
// (no vote cast, no known leader).
using NodeId = uint64_t;
inline constexpr NodeId kNoNode = 0;
}  // namespace raftmq
