#include "traces/trace_sink.h"

#include <algorithm>

#include "sim/core/error.h"

namespace keymac::traces {

TraceLayout::TraceLayout(std::vector<Signal> signals) : signals_(std::move(signals)) {
  offsets_.reserve(signals_.size());
  for (const auto& s : signals_) {
    if (s.width < 1 || s.width > 65536)
      throw Error("trace signal " + s.scope + "." + s.name + ": width " + std::to_string(s.width) + " out of range");
    if (s.scope.empty() || s.name.empty()) throw Error("trace signal without scope or name");
    offsets_.push_back(frame_words_);
    frame_words_ += (static_cast<size_t>(s.width) + 63) / 64;
    total_bits_ += static_cast<uint64_t>(s.width);
  }
}

int TraceLayout::find(const std::string& name) const {
  for (size_t i = 0; i < signals_.size(); ++i)
    if (signals_[i].name == name) return static_cast<int>(i);
  return -1;
}

void check_trace_size(const std::string& path, const std::string& what, uint64_t estimate,
                      const TraceLimits& limits) {
  if (estimate <= limits.limit_bytes || limits.force) return;
  throw Error(path + ": " + what + " would be about " + std::to_string(estimate) + " bytes (" +
              std::to_string((estimate + (1u << 20) - 1) >> 20) + " MiB), more than the limit of " +
              std::to_string(limits.limit_bytes) +
              " bytes (--trace-limit-mb); narrow --trace-window or pass --force-trace");
}

uint64_t window_cycles(const TraceLimits& limits, uint64_t first, uint64_t last) {
  const uint64_t a = std::max(first, limits.window_from), b = std::min(last, limits.window_to);
  return b >= a ? b - a + 1 : 0;
}

}  // namespace keymac::traces
