// A minimal HTTP/1.0 GET against 127.0.0.1, for tests that scrape a process's metrics
// endpoint (no HTTP client library is on the machine), and a reader of Prometheus text.
//
// Thread-safety: a free function, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace raftmq::test_support {

// The body of a 200 answer; Unavailable when nothing answers, IoError on any other status
// or a reply not finished within `timeout`.
Result<std::string> HttpGet(uint16_t port, const std::string& path,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The value of the first sample of `name` (`name{labels} value` or `name value`) in a
// Prometheus text page; nullopt when there is none.
std::optional<double> PrometheusSample(const std::string& page, const std::string& name);

}  // namespace raftmq::test_support
