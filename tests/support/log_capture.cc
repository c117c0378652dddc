#include "tests/support/log_capture.h"

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <utility>

namespace raftmq::test_support {

class LogCapture::Sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Line {
    spdlog::level::level_enum level;
    std::string text;
  };

  std::vector<Line> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    lines_.push_back(Line{message.level, fmt::to_string(formatted)});
  }
  void flush_() override {}

 private:
  std::vector<Line> lines_;  // guarded by base_sink's mutex_
};

LogCapture::LogCapture() : sink_(std::make_shared<Sink>()), previous_(spdlog::default_logger()) {
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
}

LogCapture::~LogCapture() { spdlog::set_default_logger(previous_); }

std::string LogCapture::Text() const {
  std::string text;
  for (const Sink::Line& line : sink_->Lines()) text += line.text;
  return text;
}

std::vector<std::string> LogCapture::LinesAtLeast(spdlog::level::level_enum level) const {
  std::vector<std::string> lines;
  for (Sink::Line& line : sink_->Lines()) {
    if (line.level >= level) lines.push_back(std::move(line.text));
  }
  return lines;
}

}  // namespace raftmq::test_support
