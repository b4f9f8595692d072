// BoundaryTracer: a VCD of the array boundary (ARCHITECTURE.md section 7),
// the key port and the buffer-side strobes, written through SystemC's
// sc_trace, restricted to a window of cycles.
//
// Contract:
//  * The VCD file is created when the tracer is constructed (during any
//    simulation pause) and closed by close() or the destructor; the caller
//    sample()s only cycles inside [from, to] (in_window()), so the file size
//    is bounded by the window, never by the run.
//  * sample(...) sets the traced variables to the values of one cycle; the
//    caller then lets one clock period of simulated time pass (clk_i is high
//    for the first half of the period, so its rising edge starts the cycle).
//  * The key port is scrubbed unless trace_key: key_bit_i is traced as a
//    constant 0 (key_valid_i, key_sealed_o and key_err_o are kept), so the
//    VCD never holds the key (docs/RELIABILITY.md).
//  * The VCD goes through keymac's output layer (base/output_file.h): SystemC
//    writes into a pipe that a thread copies, checking every write, into a raw
//    file in a private 0700 directory; close() retimes it (below) into an
//    OutputFile, so the file appears (atomically) only when close() succeeds,
//    and a failed write (disk full) makes the next sample() or close() throw
//    one line. The destructor closes without reporting; call close() for errors.
//  * Time: SystemC writes the file in simulated time (shared by every array
//    context, 10 ns per cycle); close() rewrites it so that cycle t (the
//    caller's global cycle, 0 = first key-load cycle) starts at t * period_ps
//    (timescale 1 ps, clock high for the first half), and the file ends at
//    (last sampled cycle + 1) * period_ps: exactly the window.
//  * Signal names are the RTL port names (scope SystemC.km_array: SystemC
//    puts every sc_trace name under a top scope "SystemC"), plus
//    buf.sram_weight_re / buf.sram_input_re / buf.sram_accum_we (the SRAM
//    accesses implied by the cycle), buf.fold, buf.layer and buf.cycle.
#pragma once
#include <systemc>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/output_file.h"
#include "base/temp_dir.h"

#include "sim/core/array_ports.h"

namespace keymac {

class BoundaryTracer {
 public:
  BoundaryTracer(const std::string& path, Geometry g, uint64_t from, uint64_t to, uint64_t period_ps = 1000,
                 bool trace_key = false);
  ~BoundaryTracer();
  BoundaryTracer(const BoundaryTracer&) = delete;
  BoundaryTracer& operator=(const BoundaryTracer&) = delete;

  bool in_window(uint64_t cycle) const { return tf_ && cycle >= from_ && cycle <= to_; }
  uint64_t from() const { return from_; }
  uint64_t to() const { return to_; }
  void sample(uint64_t cycle, const ArrayInputs& in, const ArrayOutputs& out, uint32_t layer,
              int64_t fold);
  void set_clock(bool v) { bit_[static_cast<size_t>(Port::clk_i)] = v; }
  void close();
  uint64_t period_ps() const { return period_ps_; }
  // Cycles sampled so far (first, last); none: sampled() == 0.
  uint64_t sampled() const { return samples_.size(); }
  uint64_t first_sampled() const { return samples_.empty() ? 0 : samples_.front().second; }
  uint64_t last_sampled() const { return samples_.empty() ? 0 : samples_.back().second; }

 private:
  void copy_loop(int fd);
  void release();
  void retime(OutputFile& dst);
  Geometry g_;
  bool trace_key_;
  std::unique_ptr<OutputFile> out_;    // the final VCD
  std::unique_ptr<TempDir> link_dir_;  // holds the link SystemC opens and the raw file
  std::unique_ptr<OutputFile> raw_;    // SystemC's VCD as written (simulated time)
  int pipe_w_ = -1;
  std::thread copier_;
  std::atomic<bool> failed_{false};
  std::mutex err_mu_;
  std::string err_;
  uint64_t from_, to_, period_ps_;
  std::vector<std::pair<uint64_t, uint64_t>> samples_;  // (SystemC time in ns, cycle) per sample
  sc_core::sc_trace_file* tf_ = nullptr;
  // Traced values of the ports of sim/core/array_ports.h, by Port index: a
  // one-bit port in bit_, the row index in uint_, a lane vector in bv_.
  std::array<bool, kArrayPortCount> bit_{};
  std::array<unsigned int, kArrayPortCount> uint_{};
  std::vector<std::unique_ptr<sc_dt::sc_bv_base>> bv_;
  bool sram_weight_re_ = false, sram_input_re_ = false, sram_accum_we_ = false;
  unsigned int fold_ = 0, layer_ = 0;
  sc_dt::uint64 cycle_ = 0;
};

}  // namespace keymac
