#include "client/local_file_offset_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/assert.h"

namespace raftmq::client {
namespace {

Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return Status::IoError("create " + path.parent_path().string() + ": " + error.message());
  const std::string temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("open " + temporary + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written) return Status::IoError("write " + temporary + ": " + std::strerror(saved_errno));
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::IoError("rename " + temporary + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LocalFileOffsetStore>> LocalFileOffsetStore::Open(std::filesystem::path path) {
  std::unique_ptr<LocalFileOffsetStore> store(new LocalFileOffsetStore(std::move(path)));
  RMQ_RETURN_IF_ERROR(store->Load());
  return store;
}

Status LocalFileOffsetStore::Load() {
  std::ifstream in(path_);
  if (!in) return Status::Ok();  // a new consumer: no file yet
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json document = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() || !document.contains("offsets") ||
      !document["offsets"].is_array()) {
    return Status::Corruption("offsets file " + path_.string() + " is not {\"offsets\":[...]}");
  }
  for (const nlohmann::json& entry : document["offsets"]) {
    if (!entry.is_object() || !entry.value("topic", nlohmann::json()).is_string() ||
        !entry.value("broker_group", nlohmann::json()).is_string() ||
        !entry.value("queue_id", nlohmann::json()).is_number_integer() ||
        !entry.value("offset", nlohmann::json()).is_number_integer() || entry["offset"].get<int64_t>() < 0) {
      return Status::Corruption("offsets file " + path_.string() + " has a malformed entry: " + entry.dump());
    }
    MessageQueue queue{entry["topic"].get<std::string>(), entry["broker_group"].get<std::string>(),
                       entry["queue_id"].get<int32_t>()};
    offsets_[queue] = entry["offset"].get<int64_t>();
  }
  return Status::Ok();
}

Result<int64_t> LocalFileOffsetStore::Read(const MessageQueue& queue) {
  std::lock_guard lock(mutex_);
  auto it = offsets_.find(queue);
  if (it == offsets_.end()) return Status::NotFound("no local offset for " + queue.ToString());
  return it->second;
}

void LocalFileOffsetStore::Update(const MessageQueue& queue, int64_t offset) {
  RMQ_ASSERT(offset >= 0);
  std::lock_guard lock(mutex_);
  offsets_[queue] = offset;
}

Status LocalFileOffsetStore::Persist(const MessageQueue&) { return PersistAll(); }

Status LocalFileOffsetStore::PersistAll() {
  nlohmann::json entries = nlohmann::json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [queue, offset] : offsets_) {
      entries.push_back({{"topic", queue.topic},
                         {"broker_group", queue.broker_group},
                         {"queue_id", queue.queue_id},
                         {"offset", offset}});
    }
  }
  return WriteFileAtomically(path_, nlohmann::json{{"offsets", entries}}.dump(1));
}

void LocalFileOffsetStore::Remove(const MessageQueue&) {
  // Broadcasting keeps every queue's progress: a queue that comes back continues from it.
}

}  // namespace raftmq::client
