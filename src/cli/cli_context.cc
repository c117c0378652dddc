#include "cli/cli_context.h"

#include <algorithm>
#include <iostream>
#include <mutex>
#include <sstream>

#include "common/host_port.h"

namespace raftmq::cli {
namespace {

std::mutex& OutputMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

Result<client::ClientOptions> ToClientOptions(const GlobalOptions& global) {
  client::ClientOptions options;
  options.nameserver_addresses.clear();
  std::stringstream list(global.nameserver);
  std::string address;
  while (std::getline(list, address, ',')) {
    if (address.empty()) continue;
    auto parsed = ParseHostPort(address);
    if (!parsed.ok()) return parsed.status().WithContext("--nameserver '" + address + "'");
    if (parsed->port == 0) return Status::InvalidArgument("--nameserver '" + address + "': port 0");
    options.nameserver_addresses.push_back(address);
  }
  if (options.nameserver_addresses.empty()) return Status::InvalidArgument("--nameserver is empty");
  options.rpc_timeout_ms = global.rpc_timeout_ms;
  options.instance_name = "raftmq-cli";
  return options;
}

int Fail(const std::string& message) {
  std::string line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::lock_guard lock(OutputMutex());
  std::cerr << "raftmq: " << line << std::endl;
  return kExitFailure;
}

int Fail(const Status& status) { return Fail(status.ToString()); }

void PrintTable(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) widths[c] = columns[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::ostringstream out;
  auto print_row = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      out << cells[c];
      if (c + 1 < cells.size()) out << std::string(widths[c] - cells[c].size() + 2, ' ');
    }
    out << '\n';
  };
  std::vector<std::string> header;
  for (std::string column : columns) {
    std::transform(column.begin(), column.end(), column.begin(), [](unsigned char c) { return std::toupper(c); });
    header.push_back(column);
  }
  print_row(header);
  for (const auto& row : rows) print_row(row);
  std::lock_guard lock(OutputMutex());
  std::cout << out.str() << std::flush;
}

void PrintJson(const nlohmann::json& value) {
  // Bodies are bytes: invalid UTF-8 is replaced rather than refused.
  PrintLine(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void PrintLine(const std::string& line) {
  std::lock_guard lock(OutputMutex());
  std::cout << line << '\n' << std::flush;
}

std::string GeneratedBody(int64_t bytes) {
  std::string body(static_cast<size_t>(bytes), ' ');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  return body;
}

}  // namespace raftmq::cli
