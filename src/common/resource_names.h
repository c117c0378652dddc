// The one rule for the names users give to topics, consumer groups, clusters and broker
// groups, shared by the broker (request checks), the storage engine (a topic is a directory
// name) and the nameserver: RocketMQ's TopicValidator, 1 to 127 characters of
// ^[%|a-zA-Z0-9_-]+$. The set also keeps a name safe as a file name.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace raftmq {

// RocketMQ's TopicValidator.TOPIC_MAX_LENGTH.
inline constexpr size_t kResourceNameLengthMax = 127;
// As written in error messages.
inline constexpr std::string_view kResourceNameCharacters = "[%|a-zA-Z0-9_-]";

bool IsResourceNameCharacter(char c);

// OK, or InvalidArgument naming `what` ("<what> is empty", "<what> has 132 characters, more
// than 127", "<what> 'a b' has a character outside [%|a-zA-Z0-9_-]").
Status CheckResourceName(std::string_view what, std::string_view name, size_t length_max = kResourceNameLengthMax);

}  // namespace raftmq
