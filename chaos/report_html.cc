// report.html: one page, one inline SVG, no scripts or external files. Top panel:
// acknowledged sends per second (green) and sends that failed or ended unknown (red). Bottom
// panel: send latency per second (median and max of acknowledged sends, log scale). Each fault
// is a shaded band across both panels, labelled above with its kind and target; each leader
// change is a dashed blue line labelled with the new leader and term (grey: no leader seen).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "chaos/report.h"

namespace raftmq::chaos {
namespace {

constexpr double kWidth = 1400, kLeft = 70, kRight = 20, kTop = 120, kPanel = 230, kGap = 50;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string Fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof(buffer), format, a, b, c, d);
  return buffer;
}

struct Second {
  int acked = 0, not_acked = 0;
  std::vector<int64_t> latencies;
};

class Plot {
 public:
  explicit Plot(int64_t run_ms) : seconds_(std::max<int64_t>(1, (run_ms + 999) / 1000)) {}
  double X(double ms) const { return kLeft + (kWidth - kLeft - kRight) * ms / (seconds_ * 1000.0); }
  int64_t seconds() const { return seconds_; }

 private:
  int64_t seconds_;
};

void DrawFaults(const RunReport& report, const Plot& plot, std::ostringstream& svg) {
  const double bottom = kTop + 2 * kPanel + kGap;
  int row = 0;
  for (const FaultRecord& fault : report.history->faults()) {
    const double x0 = plot.X(static_cast<double>(fault.start_ms));
    const double x1 = plot.X(static_cast<double>(fault.heal_ms >= 0 ? fault.heal_ms : plot.seconds() * 1000));
    const std::string color = fault.kind.rfind("kill", 0) == 0      ? "#e74c3c"
                              : fault.kind.rfind("pause", 0) == 0   ? "#f39c12"
                              : fault.kind.rfind("partition", 0) == 0 ? "#8e44ad"
                              : fault.kind == "disk-full"           ? "#16a085"
                                                                    : "#2c3e50";
    svg << Fmt("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' ", x0, kTop, std::max(1.0, x1 - x0), bottom - kTop)
        << "fill='" << color << "' fill-opacity='0.15'><title>" << Escape(fault.kind + " " + fault.target)
        << Fmt(" %.1fs-%.1fs", fault.start_ms / 1000.0, fault.heal_ms / 1000.0) << Escape(fault.note.empty() ? "" : " " + fault.note)
        << "</title></rect>\n";
    const double label_y = kTop - 8 - 14 * (row % 4);
    svg << Fmt("<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='", x0, label_y + 2, x0, kTop) << color
        << "' stroke-width='1'/>\n";
    svg << Fmt("<text x='%.1f' y='%.1f' font-size='11' fill='", x0 + 2, label_y) << color << "'>"
        << Escape(fault.kind + " " + fault.target) << (fault.note.empty() ? "" : " (!)") << "</text>\n";
    ++row;
  }
}

void DrawLeaders(const RunReport& report, const Plot& plot, std::ostringstream& svg) {
  const double bottom = kTop + 2 * kPanel + kGap;
  for (const LeaderChange& change : report.history->leaders()) {
    const double x = plot.X(static_cast<double>(change.at_ms));
    const std::string color = change.leader.empty() ? "#999" : "#2471a3";
    svg << Fmt("<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='", x, kTop, x, bottom + 4) << color
        << "' stroke-dasharray='4,3'/>\n";
    const std::string label = change.leader.empty() ? change.group + ": none" : change.leader + " t" + std::to_string(change.term);
    svg << Fmt("<text x='%.1f' y='%.1f' font-size='10' fill='", x + 2, bottom + 16) << color << Fmt("' transform='rotate(35 %.1f %.1f)'>", x + 2, bottom + 16)
        << Escape(label) << "</text>\n";
  }
}

void DrawThroughput(const std::vector<Second>& seconds, const Plot& plot, std::ostringstream& svg) {
  int peak = 1;
  for (const Second& s : seconds) peak = std::max({peak, s.acked, s.not_acked});
  auto y = [&](double value) { return kTop + kPanel - kPanel * value / peak; };
  std::string acked, failed;
  for (size_t i = 0; i < seconds.size(); ++i) {
    const double x = plot.X(static_cast<double>(i) * 1000 + 500);
    acked += Fmt("%.1f,%.1f ", x, y(seconds[i].acked));
    failed += Fmt("%.1f,%.1f ", x, y(seconds[i].not_acked));
  }
  svg << "<polyline fill='none' stroke='#27ae60' stroke-width='1.5' points='" << acked << "'/>\n";
  svg << "<polyline fill='none' stroke='#c0392b' stroke-width='1' points='" << failed << "'/>\n";
  for (int tick = 0; tick <= 4; ++tick) {
    const double value = peak * tick / 4.0;
    svg << Fmt("<text x='%.1f' y='%.1f' font-size='10' text-anchor='end'>%.0f</text>\n", kLeft - 4, y(value) + 3, value);
  }
  svg << Fmt("<text x='%.1f' y='%.1f' font-size='12' transform='rotate(-90 %.1f %.1f)' text-anchor='middle'>",
             14, kTop + kPanel / 2, 14, kTop + kPanel / 2)
      << "sends/s: acked (green), failed+unknown (red)</text>\n";
}

void DrawLatency(const std::vector<Second>& seconds, const Plot& plot, std::ostringstream& svg) {
  const double top = kTop + kPanel + kGap;
  const double low = 0, high = 5;  // log10 of 1 ms .. 100 s
  auto y = [&](double ms) { return top + kPanel - kPanel * (std::log10(std::max(1.0, ms)) - low) / (high - low); };
  std::string median, max;
  for (size_t i = 0; i < seconds.size(); ++i) {
    std::vector<int64_t> latencies = seconds[i].latencies;
    if (latencies.empty()) continue;
    std::sort(latencies.begin(), latencies.end());
    const double x = plot.X(static_cast<double>(i) * 1000 + 500);
    median += Fmt("%.1f,%.1f ", x, y(static_cast<double>(latencies[latencies.size() / 2])));
    max += Fmt("%.1f,%.1f ", x, y(static_cast<double>(latencies.back())));
  }
  svg << "<polyline fill='none' stroke='#34495e' stroke-width='1.5' points='" << median << "'/>\n";
  svg << "<polyline fill='none' stroke='#e67e22' stroke-width='1' points='" << max << "'/>\n";
  for (double ms : {1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0}) {
    svg << Fmt("<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#eee'/>", kLeft, y(ms), kWidth - kRight, y(ms));
    svg << Fmt("<text x='%.1f' y='%.1f' font-size='10' text-anchor='end'>", kLeft - 4, y(ms) + 3)
        << (ms >= 1000 ? Fmt("%.0fs", ms / 1000) : Fmt("%.0fms", ms)) << "</text>\n";
  }
  svg << Fmt("<text x='%.1f' y='%.1f' font-size='12' transform='rotate(-90 %.1f %.1f)' text-anchor='middle'>",
             14, top + kPanel / 2, 14, top + kPanel / 2)
      << "ack latency: median (dark), max (orange)</text>\n";
}

// The picture ends a few seconds after the last send or heal (not at the end of the checks).
int64_t PictureEndMs(const RunReport& report) {
  int64_t end_ms = 0;
  for (const SendRecord& send : report.history->sends()) end_ms = std::max(end_ms, send.end_ms);
  for (const FaultRecord& fault : report.history->faults()) end_ms = std::max(end_ms, fault.heal_ms);
  return end_ms + 5000;
}

std::string Svg(const RunReport& report) {
  Plot plot(PictureEndMs(report));
  std::vector<Second> seconds(static_cast<size_t>(plot.seconds()));
  for (const SendRecord& send : report.history->sends()) {
    const size_t second = std::min(seconds.size() - 1, static_cast<size_t>(std::max<int64_t>(0, send.end_ms) / 1000));
    if (send.outcome == SendOutcome::kAcknowledged) {
      ++seconds[second].acked;
      seconds[second].latencies.push_back(send.end_ms - send.start_ms);
    } else {
      ++seconds[second].not_acked;
    }
  }
  const double height = kTop + 2 * kPanel + kGap + 70;
  std::ostringstream svg;
  svg << Fmt("<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='sans-serif'>\n", kWidth, height);
  svg << "<rect width='100%' height='100%' fill='white'/>\n";
  const ChaosOptions& options = *report.options;
  svg << "<text x='10' y='20' font-size='15' font-weight='bold'>"
      << Escape("raftmq chaos, seed " + std::to_string(options.seed) + ": " + (report.passed() ? "PASS" : "FAIL") + " — " +
                std::to_string(report.check.acknowledged) + " acknowledged, " + std::to_string(report.check.lost) +
                " lost, " + std::to_string(report.history->faults().size()) + " faults, flush " + options.flush)
      << "</text>\n";
  const std::vector<std::string> violations = report.Violations();
  if (!violations.empty()) {
    svg << "<text x='10' y='54' font-size='12' fill='#c0392b'>"
        << Escape("first broken invariant: " + violations.front() +
                  (violations.size() > 1 ? " (+" + std::to_string(violations.size() - 1) + " more)" : ""))
        << "</text>\n";
  }
  svg << "<text x='10' y='38' font-size='11' fill='#555'>shaded: a fault from injection to heal (label: kind and "
         "target); dashed blue: a new leader (node, term); grey: no leader seen</text>\n";
  DrawFaults(report, plot, svg);
  for (double top : {kTop, kTop + kPanel + kGap}) {
    svg << Fmt("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='#888'/>\n", kLeft, top,
               kWidth - kLeft - kRight, kPanel);
  }
  DrawThroughput(seconds, plot, svg);
  DrawLatency(seconds, plot, svg);
  DrawLeaders(report, plot, svg);
  const double axis = kTop + 2 * kPanel + kGap;
  const int64_t step = std::max<int64_t>(5, plot.seconds() / 20 / 5 * 5);
  for (int64_t s = 0; s <= plot.seconds(); s += step) {
    svg << Fmt("<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle'>%.0fs</text>\n", plot.X(s * 1000.0),
               axis + 50, static_cast<double>(s));
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace

Status WriteHtml(const RunReport& report, const std::string& path) {
  std::ofstream file(path);
  file << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>raftmq chaos seed " << report.options->seed
       << "</title></head><body style='font-family:sans-serif'>\n"
       << Svg(report) << "<pre>" << Escape(TextSummary(report)) << "</pre>\n</body></html>\n";
  if (!file) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace raftmq::chaos
