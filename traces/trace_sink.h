// TraceSink: the one interface behind which keymac's trace writers sit (VCD,
// SAIF, ...). A source (the cycle core, a converter, a test) declares named
// signals with their widths once, then feeds one bit-packed frame per cycle.
//
// Contract (what a source may assume of every sink):
//  * begin(layout, timing, first, last) is called once, before any sample; the
//    source promises to sample no cycle outside [first, last]. The sink
//    intersects that with its window, estimates its output size and, when the
//    estimate exceeds the limit and the sink is not forced, throws
//    keymac::Error with the estimate in bytes *before creating any file*.
//  * sample(cycle, frame) passes the values of every signal during `cycle`
//    (the interval before rising edge cycle+1, ARCHITECTURE.md section 7).
//    Cycles increase strictly; cycles outside the window are ignored. A gap
//    between sampled cycles means the values held.
//  * end() finishes and closes the output (atomically for the summary formats);
//    after end() the sink is inert. Destroying a sink without end() leaves no
//    partial summary file behind (the VCD writer may leave a truncated VCD).
//  * Frames: signal i occupies words [offset(i), offset(i) + words(i)) of the
//    frame, bit b of the signal is bit (b % 64) of word offset(i) + b / 64;
//    unused high bits are 0.
//  * Time: cycle t spans [t*P, (t+1)*P) in units of the timescale (P = period).
//    With a clock name set, the sink adds that 1-bit clock in the top scope,
//    high during the first half of each cycle (its rising edge starts the cycle).
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace keymac::traces {

struct Signal {
  std::string scope;  // hierarchy, '.'-separated ("km_array", "tb.dut"); never empty
  std::string name;   // net or bus name, e.g. "a_data_i"
  int width = 1;      // bits, 1 .. 65536
};

class TraceLayout {
 public:
  TraceLayout() = default;
  explicit TraceLayout(std::vector<Signal> signals);
  const std::vector<Signal>& signals() const { return signals_; }
  size_t size() const { return signals_.size(); }
  size_t offset(size_t i) const { return offsets_[i]; }
  size_t words(size_t i) const { return (static_cast<size_t>(signals_[i].width) + 63) / 64; }
  size_t frame_words() const { return frame_words_; }
  uint64_t total_bits() const { return total_bits_; }
  // Index of a signal by name (first match), or -1.
  int find(const std::string& name) const;

 private:
  std::vector<Signal> signals_;
  std::vector<size_t> offsets_;
  size_t frame_words_ = 0;
  uint64_t total_bits_ = 0;
};

// Writes `width` (<= 64) bits of v at bit position `bit` of the signal whose
// frame words start at `words`.
inline void put_bits(uint64_t* words, uint64_t bit, int width, uint64_t v) {
  if (width < 64) v &= (uint64_t{1} << width) - 1;
  const uint64_t w = bit / 64, s = bit % 64;
  words[w] |= v << s;
  if (s != 0 && s + static_cast<uint64_t>(width) > 64) words[w + 1] |= v >> (64 - s);
}
inline bool get_bit(const uint64_t* words, uint64_t bit) { return (words[bit / 64] >> (bit % 64)) & 1u; }

struct TraceTiming {
  uint64_t period = 1000;           // time units per cycle (even if a clock is added)
  std::string timescale = "1 ps";   // "<1|10|100> <s|ms|us|ns|ps|fs>"
  std::string clock = "clk_i";      // empty: no synthesized clock
};

struct TraceLimits {
  uint64_t window_from = 0;                                       // first cycle written
  uint64_t window_to = std::numeric_limits<uint64_t>::max();      // last cycle, inclusive
  uint64_t limit_bytes = uint64_t{100} << 20;                     // refuse above this ...
  bool force = false;                                             // ... unless forced
};

// Throws keymac::Error "<path>: <what> would be about N bytes (...), more than
// the limit of L bytes (--trace-limit-mb); narrow --trace-window or pass
// --force-trace" when estimate > limit and !force.
void check_trace_size(const std::string& path, const std::string& what, uint64_t estimate,
                      const TraceLimits& limits);

// Number of cycles of [first, last] inside the window (0 if none).
uint64_t window_cycles(const TraceLimits& limits, uint64_t first, uint64_t last);

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void begin(const TraceLayout& layout, const TraceTiming& timing, uint64_t first,
                     uint64_t last) = 0;
  virtual void sample(uint64_t cycle, const uint64_t* frame) = 0;
  virtual void end() = 0;
  // Size the sink would write for `cycles` sampled cycles of this layout.
  virtual uint64_t estimate_bytes(const TraceLayout& layout, uint64_t cycles) const = 0;
};

}  // namespace keymac::traces
