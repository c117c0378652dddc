#include "common/config_validators.h"

#include <algorithm>

#include "common/host_port.h"

namespace raftmq::config {

Validator<std::string> NonEmpty() {
  return [](const std::string& value) {
    return value.empty() ? Status::InvalidArgument("must not be empty") : Status::Ok();
  };
}

Validator<std::string> HostPort() {
  return [](const std::string& value) {
    Result<raftmq::HostPort> parsed = ParseHostPort(value);
    return parsed.ok() ? Status::Ok() : parsed.status();
  };
}

Validator<std::vector<std::string>> HostPortList() {
  return [](const std::vector<std::string>& values) {
    if (values.empty()) return Status::InvalidArgument("must list at least one host:port");
    for (const std::string& value : values) {
      Result<raftmq::HostPort> parsed = ParseHostPort(value);
      if (!parsed.ok()) return parsed.status();
    }
    return Status::Ok();
  };
}

Validator<std::string> OneOf(std::vector<std::string> choices) {
  return [choices = std::move(choices)](const std::string& value) {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return Status::Ok();
    std::string list;
    for (const std::string& choice : choices) list += (list.empty() ? "" : ", ") + choice;
    return Status::InvalidArgument("must be one of: " + list);
  };
}

}  // namespace raftmq::config
