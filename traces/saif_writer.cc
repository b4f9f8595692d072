#include "traces/saif_writer.h"

#include <sstream>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"
#include "traces/saif_tree.h"

namespace keymac::traces {

SaifWriter::SaifWriter(std::string path, TraceLimits limits, std::string design)
    : path_(std::move(path)), design_(std::move(design)), limits_(limits) {}

uint64_t SaifWriter::estimate_bytes(const TraceLayout& layout, uint64_t /*cycles*/) const {
  // Per net: name + about 90 characters of statistics and indentation.
  uint64_t bytes = 400;
  for (const auto& s : layout.signals())
    bytes += static_cast<uint64_t>(s.width) * (s.name.size() + 96) + 40;
  return bytes;
}

void SaifWriter::begin(const TraceLayout& layout, const TraceTiming& timing, uint64_t first, uint64_t last) {
  check_trace_size(path_, "SAIF", estimate_bytes(layout, window_cycles(limits_, first, last)), limits_);
  layout_ = layout;
  timing_ = timing;
  const size_t bits = layout_.frame_words() * 64;
  prev_.assign(layout_.frame_words(), 0);
  t1_.assign(bits, 0);
  tc_.assign(bits, 0);
  since_.assign(bits, 0);
  open_ = true;
  started_ = false;
}

void SaifWriter::sample(uint64_t cycle, const uint64_t* frame) {
  if (!open_ || cycle < limits_.window_from || cycle > limits_.window_to) return;
  const uint64_t now = cycle * timing_.period;
  if (!started_) {
    started_ = true;
    start_time_ = now;
    for (size_t w = 0; w < prev_.size(); ++w) prev_[w] = frame[w];
    for (auto& s : since_) s = now;
  } else {
    if (cycle <= last_cycle_) throw Error(path_ + ": SAIF samples out of order");
    for (size_t w = 0; w < prev_.size(); ++w) {
      uint64_t d = prev_[w] ^ frame[w];
      while (d) {
        const int b = __builtin_ctzll(d);
        d &= d - 1;
        const size_t i = w * 64 + static_cast<size_t>(b);
        if ((prev_[w] >> b) & 1u) t1_[i] += now - since_[i];
        since_[i] = now;
        ++tc_[i];
      }
      prev_[w] = frame[w];
    }
  }
  last_cycle_ = cycle;
}

void SaifWriter::end() {
  if (!open_) return;
  open_ = false;
  const uint64_t end_time = started_ ? (last_cycle_ + 1) * timing_.period : 0;
  const uint64_t duration = end_time - (started_ ? start_time_ : 0);
  const uint64_t cycles = started_ ? duration / timing_.period : 0;
  // Instances by scope path ('.'-separated); the first component is a top.
  std::vector<std::unique_ptr<SaifInstance>> tops;
  auto inst_for = [&](const std::string& scope) -> SaifInstance& {
    std::vector<std::string> parts;
    std::stringstream ss(scope);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    SaifInstance* cur = nullptr;
    for (auto& t : tops)
      if (t->name == parts[0]) cur = t.get();
    if (!cur) {
      tops.push_back(std::make_unique<SaifInstance>());
      tops.back()->name = parts[0];
      cur = tops.back().get();
    }
    for (size_t i = 1; i < parts.size(); ++i) cur = &cur->child(parts[i]);
    return *cur;
  };
  if (!timing_.clock.empty() && !layout_.signals().empty()) {
    SaifNet clk;
    clk.name = saif_escape(timing_.clock);
    const uint64_t high = timing_.period / 2;
    clk.t1 = cycles * high;
    clk.t0 = duration - clk.t1;
    clk.tc = cycles ? 2 * cycles - 1 : 0;
    inst_for(layout_.signals()[0].scope).nets.push_back(clk);
  }
  for (size_t s = 0; s < layout_.size(); ++s) {
    const Signal& sig = layout_.signals()[s];
    SaifInstance& inst = inst_for(sig.scope);
    for (int b = 0; b < sig.width; ++b) {
      const size_t i = layout_.offset(s) * 64 + static_cast<size_t>(b);
      SaifNet n;
      n.name = sig.width == 1 ? saif_escape(sig.name) : saif_bit_name(sig.name, b);
      n.t1 = t1_[i];
      if (started_ && get_bit(prev_.data(), i)) n.t1 += end_time - since_[i];
      n.t0 = duration - n.t1;
      n.tc = tc_[i];
      inst.nets.push_back(std::move(n));
    }
  }
  SaifHeader h;
  h.design = design_;
  h.timescale = timing_.timescale;
  h.duration = duration;
  std::ostringstream os;
  std::vector<const SaifInstance*> tp;
  for (auto& t : tops) tp.push_back(t.get());
  write_saif(os, h, tp);
  write_file_atomic(path_, os.str());
}

}  // namespace keymac::traces
