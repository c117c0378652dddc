#include "common/resource_names.h"

#include <string>

namespace raftmq {

bool IsResourceNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
         c == '_' || c == '-';
}

Status CheckResourceName(std::string_view what, std::string_view name, size_t length_max) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (name.size() > length_max) {
    return Status::InvalidArgument(std::string(what) + " has " + std::to_string(name.size()) +
                                   " characters, more than " + std::to_string(length_max));
  }
  for (char c : name) {
    if (!IsResourceNameCharacter(c)) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(name) + "' has a character outside " +
                                     std::string(kResourceNameCharacters));
    }
  }
  return Status::Ok();
}

}  // namespace raftmq
