// SaifWriter: a TraceSink that counts, per net bit, the time at 0 and at 1 and
// the number of 0<->1 transitions of the sampled signals, and writes them as a
// backward SAIF 2.0 file (saif_tree.h) at end(). Memory is O(signal bits),
// independent of the number of cycles; the output size is O(nets).
// Values are always 0 or 1 here (a cycle model has no x), so TX = IG = 0.
// The first sampled cycle gives the initial values (no toggle is counted for
// it); DURATION spans the first to the last sampled cycle inclusive.
#pragma once
#include <string>
#include <vector>

#include "traces/trace_sink.h"

namespace keymac::traces {

class SaifWriter : public TraceSink {
 public:
  SaifWriter(std::string path, TraceLimits limits, std::string design = "");
  void begin(const TraceLayout& layout, const TraceTiming& timing, uint64_t first, uint64_t last) override;
  void sample(uint64_t cycle, const uint64_t* frame) override;
  void end() override;
  uint64_t estimate_bytes(const TraceLayout& layout, uint64_t cycles) const override;

 private:
  std::string path_, design_;
  TraceLimits limits_;
  TraceLayout layout_;
  TraceTiming timing_;
  bool open_ = false, started_ = false;
  uint64_t start_time_ = 0, last_cycle_ = 0;
  std::vector<uint64_t> prev_;
  std::vector<uint64_t> t1_, tc_, since_;  // per frame bit position (unused bits stay 0)
};

}  // namespace keymac::traces
