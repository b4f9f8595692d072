// VcdWriter: a TraceSink writing IEEE 1364 VCD (value changes only), so the
// same per-cycle frames that make a SAIF can be looked at in GTKWave or fed
// to `keymac saif`. Streams to the file: memory O(signals).
// The file is created in begin() (after the size check) through the output
// layer (base/output_file.h): written atomically when it is a regular file,
// every write checked (a full disk throws one line at the next sample). The size estimate is
// an upper bound (every signal changing every cycle).
#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "traces/trace_sink.h"

namespace keymac::traces {

class VcdWriter : public TraceSink {
 public:
  VcdWriter(std::string path, TraceLimits limits);
  ~VcdWriter() override;
  void begin(const TraceLayout& layout, const TraceTiming& timing, uint64_t first, uint64_t last) override;
  void sample(uint64_t cycle, const uint64_t* frame) override;
  void end() override;
  uint64_t estimate_bytes(const TraceLayout& layout, uint64_t cycles) const override;

 private:
  void write_value(size_t s, const uint64_t* frame);
  void clock_edges(uint64_t cycle);
  std::string path_;
  TraceLimits limits_;
  TraceLayout layout_;
  TraceTiming timing_;
  std::unique_ptr<OutputFile> out_;
  std::ostream* os_ = nullptr;
  std::vector<std::string> ids_;
  std::string clk_id_;
  std::vector<uint64_t> prev_;
  bool started_ = false;
  uint64_t last_cycle_ = 0;
};

// VCD identifier code number i (printable ASCII 33..126, base 94).
std::string vcd_id(size_t i);

}  // namespace keymac::traces
