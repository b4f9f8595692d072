#include "traces/vcd_writer.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "sim/core/error.h"

namespace keymac::traces {

std::string vcd_id(size_t i) {
  std::string s;
  do {
    s += static_cast<char>(33 + i % 94);
    i /= 94;
  } while (i);
  return s;
}

VcdWriter::VcdWriter(std::string path, TraceLimits limits) : path_(std::move(path)), limits_(limits) {}
VcdWriter::~VcdWriter() = default;

uint64_t VcdWriter::estimate_bytes(const TraceLayout& layout, uint64_t cycles) const {
  uint64_t header = 300, per_cycle = 2 * 24;  // two timestamps (clock edges)
  for (size_t i = 0; i < layout.size(); ++i) {
    const auto& s = layout.signals()[i];
    header += s.name.size() + s.scope.size() + 48;
    per_cycle += static_cast<uint64_t>(s.width) + 8;
  }
  return header + cycles * per_cycle;
}

void VcdWriter::begin(const TraceLayout& layout, const TraceTiming& timing, uint64_t first, uint64_t last) {
  check_trace_size(path_, "VCD", estimate_bytes(layout, window_cycles(limits_, first, last)), limits_);
  layout_ = layout;
  timing_ = timing;
  out_ = std::make_unique<OutputFile>(path_);  // atomic for a regular file; checked writes
  os_ = &out_->stream();
  *os_ << "$date keymac $end\n$version keymac 0.1.0 $end\n$timescale " << timing_.timescale << " $end\n";
  ids_.clear();
  size_t next = 0;
  if (!timing_.clock.empty()) clk_id_ = vcd_id(next++);
  for (size_t i = 0; i < layout_.size(); ++i) ids_.push_back(vcd_id(next++));
  // Scopes in order of first appearance, nested by '.'.
  std::vector<std::string> open;
  auto split = [](const std::string& s) {
    std::vector<std::string> p;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, '.');) p.push_back(x);
    return p;
  };
  std::map<std::string, size_t> first_of;
  for (size_t i = 0; i < layout_.size(); ++i) first_of.emplace(layout_.signals()[i].scope, i);
  // Group signals by scope, scopes in order of first appearance.
  std::vector<std::pair<size_t, std::string>> scopes;
  for (auto& [sc, i] : first_of) scopes.push_back({i, sc});
  std::sort(scopes.begin(), scopes.end());
  bool clock_done = timing_.clock.empty();
  for (const auto& [_, sc] : scopes) {
    const auto parts = split(sc);
    size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    while (open.size() > common) {
      *os_ << "$upscope $end\n";
      open.pop_back();
    }
    for (size_t k = common; k < parts.size(); ++k) {
      *os_ << "$scope module " << parts[k] << " $end\n";
      open.push_back(parts[k]);
    }
    if (!clock_done) {
      *os_ << "$var wire 1 " << clk_id_ << " " << timing_.clock << " $end\n";
      clock_done = true;
    }
    for (size_t i = 0; i < layout_.size(); ++i) {
      const auto& s = layout_.signals()[i];
      if (s.scope != sc) continue;
      *os_ << "$var wire " << s.width << " " << ids_[i] << " " << s.name;
      if (s.width > 1) *os_ << " [" << s.width - 1 << ":0]";
      *os_ << " $end\n";
    }
  }
  while (!open.empty()) {
    *os_ << "$upscope $end\n";
    open.pop_back();
  }
  *os_ << "$enddefinitions $end\n";
  prev_.assign(layout_.frame_words(), 0);
  started_ = false;
}

void VcdWriter::write_value(size_t s, const uint64_t* frame) {
  const auto& sig = layout_.signals()[s];
  const uint64_t* w = frame + layout_.offset(s);
  if (sig.width == 1) {
    *os_ << (w[0] & 1u ? '1' : '0') << ids_[s] << '\n';
    return;
  }
  std::string v(static_cast<size_t>(sig.width) + 1, '0');
  v[0] = 'b';
  for (int b = 0; b < sig.width; ++b)
    if (get_bit(w, static_cast<uint64_t>(b))) v[static_cast<size_t>(sig.width - b)] = '1';
  *os_ << v << ' ' << ids_[s] << '\n';
}

void VcdWriter::clock_edges(uint64_t cycle) {
  if (timing_.clock.empty()) return;
  *os_ << '#' << cycle * timing_.period + timing_.period / 2 << "\n0" << clk_id_ << '\n';
}

void VcdWriter::sample(uint64_t cycle, const uint64_t* frame) {
  if (!out_ || cycle < limits_.window_from || cycle > limits_.window_to) return;
  if (!started_) {
    *os_ << '#' << cycle * timing_.period << "\n$dumpvars\n";
    if (!timing_.clock.empty()) *os_ << '1' << clk_id_ << '\n';
    for (size_t s = 0; s < layout_.size(); ++s) write_value(s, frame);
    *os_ << "$end\n";
    started_ = true;
  } else {
    if (cycle <= last_cycle_) throw Error(path_ + ": VCD samples out of order");
    for (uint64_t t = last_cycle_ + 1; t < cycle; ++t) {  // held values: clock only
      if (!timing_.clock.empty()) *os_ << '#' << t * timing_.period << "\n1" << clk_id_ << '\n';
      clock_edges(t);
    }
    *os_ << '#' << cycle * timing_.period << '\n';
    if (!timing_.clock.empty()) *os_ << '1' << clk_id_ << '\n';
    for (size_t s = 0; s < layout_.size(); ++s) {
      const size_t o = layout_.offset(s), n = layout_.words(s);
      bool changed = false;
      for (size_t k = 0; k < n && !changed; ++k) changed = prev_[o + k] != frame[o + k];
      if (changed) write_value(s, frame);
    }
  }
  for (size_t k = 0; k < prev_.size(); ++k) prev_[k] = frame[k];
  clock_edges(cycle);
  last_cycle_ = cycle;
  out_->check();  // a full disk ends the run here, with one line
}

void VcdWriter::end() {
  if (!out_) return;
  if (started_) *os_ << '#' << (last_cycle_ + 1) * timing_.period << '\n';
  std::unique_ptr<OutputFile> out = std::move(out_);
  os_ = nullptr;
  out->commit();
}

}  // namespace keymac::traces
