// Config values: the few shapes a configuration key can take, and the conversion between a
// struct field and its type-erased Value. The loader (config_loader.h) parses TOML and flags
// into Values by the key's kind; the typed Schema (config_schema.h) moves them into fields.
//
// Invariant: a field's ValueKind is fixed by its C++ type (KindOf<T>); an integer field is set
// only from a Value that fits it (checked, never truncated).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/assert.h"
#include "common/status.h"

namespace raftmq::config {

enum class ValueKind : unsigned char { kBool, kInteger, kFloat, kString, kStringList };

// A value as read from TOML or a flag; the alternative always matches the key's ValueKind.
using Value = std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;

// "an integer", "a string", ...: for messages naming what a key expects.
std::string_view KindName(ValueKind kind);

template <typename T>
inline constexpr bool kAlwaysFalse = false;

template <typename T>
constexpr ValueKind KindOf() {
  if constexpr (std::is_same_v<T, bool>) {
    return ValueKind::kBool;
  } else if constexpr (std::is_integral_v<T>) {
    return ValueKind::kInteger;
  } else if constexpr (std::is_floating_point_v<T>) {
    return ValueKind::kFloat;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ValueKind::kString;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return ValueKind::kStringList;
  } else {
    static_assert(kAlwaysFalse<T>, "config fields are bool, integers, double, std::string or vector<string>");
  }
}

template <typename T>
Value ToValue(const T& field) {
  if constexpr (KindOf<T>() == ValueKind::kInteger) {
    RMQ_ASSERT(std::in_range<int64_t>(field));  // TOML integers are int64
    return Value(static_cast<int64_t>(field));
  } else if constexpr (KindOf<T>() == ValueKind::kFloat) {
    return Value(static_cast<double>(field));
  } else {
    return Value(field);
  }
}

// Sets `*field` from `value`, refusing an integer that does not fit the field's type.
template <typename T>
Status FromValue(const Value& value, T* field) {
  constexpr ValueKind kind = KindOf<T>();
  RMQ_ASSERT(value.index() == static_cast<size_t>(kind));
  if constexpr (kind == ValueKind::kInteger) {
    const int64_t number = std::get<int64_t>(value);
    if (!std::in_range<T>(number)) {
      return Status::InvalidArgument(std::to_string(number) + " is out of range for this key's " +
                                     (std::is_signed_v<T> ? "signed " : "unsigned ") +
                                     std::to_string(sizeof(T) * 8) + "-bit type");
    }
    *field = static_cast<T>(number);
  } else if constexpr (kind == ValueKind::kFloat) {
    *field = static_cast<T>(std::get<double>(value));
  } else {
    *field = std::get<T>(value);
  }
  return Status::Ok();
}

}  // namespace raftmq::config
