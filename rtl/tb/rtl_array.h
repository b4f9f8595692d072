// RtlArray: one cycle-stepped km_array (docs/ARCHITECTURE.md section 7), as
// seen from C++. Implementations wrap a verilated model (rtl_array_impl.h); the
// RTL backend and the co-simulation step it and compare it with other models.
//
// Contract (what a caller may assume):
// - Cycle t is the interval before rising edge t+1. cycle() is t, counted from
//   construction (0). Inputs set with set_*() hold until set again and are the
//   inputs of the current cycle; step() ends the cycle (one rising edge).
// - Every km_array output is a register output, so the getters give the
//   outputs of the current cycle whatever this cycle's inputs are.
// - set_weights() takes cols() int8 weights (column c at index c) and
//   set_activations() rows() int8 activations (row r at index r), two's
//   complement, as on w_data_i / a_data_i.
// - The model starts with clk_i = 0, rst_ni = 1 and all other inputs 0; its
//   registers are undefined until a reset (rst_ni = 0 for at least one cycle).
// - Traces: trace_open(path, period_ps, first) starts a VCD file (timescale
//   1 ps) in which one cycle lasts period_ps (default 1000: 1 GHz) and the
//   current cycle is numbered `first` (default: cycle()), so cycle t's inputs
//   and outputs are at time t*P, the clock rises at t*P + P/2 (the outputs of
//   cycle t+1 appear then) and trace_close() ends the file at (t+1)*P for the
//   last stepped cycle t. The caller's numbering (e.g. a backend's global
//   cycle, which does not count reset cycles) is thus the waveform's time.
// - Not thread-safe; distinct objects are independent (own VerilatedContext).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace keymac {
struct ArrayInputs;   // sim/core/array_ports.h
struct ArrayOutputs;
}  // namespace keymac

namespace keymac::rtl {

struct RtlGeometry {
  int rows = 0;
  int cols = 0;
  bool keyed = false;
  bool expanded = false;  // KeyMode = 1 (ARCHITECTURE.md 11): ports kx_start_i, kx_iv_i
  bool operator==(const RtlGeometry& o) const {
    return rows == o.rows && cols == o.cols && keyed == o.keyed && expanded == o.expanded;
  }
};

class RtlArray {
 public:
  virtual ~RtlArray() = default;

  virtual RtlGeometry geometry() const = 0;
  int rows() const { return geometry().rows; }
  int cols() const { return geometry().cols; }

  // Inputs of the current cycle.
  virtual void set_rst_n(bool rst_n) = 0;
  virtual void set_key(bool valid, bool bit) = 0;
  virtual void set_weights(bool valid, uint32_t row, bool bank, const std::vector<int8_t>& w) = 0;
  virtual void set_activations(bool valid, bool bank, const std::vector<int8_t>& a) = 0;
  // Expanded key mode only (geometry().expanded): kx_start_i and kx_iv_i
  // (bit i = bit i%8 of iv[i/8]); a model without these ports ignores a 0
  // start and throws std::logic_error on a 1.
  virtual void set_key_start(bool start, const std::array<uint8_t, 10>& iv) = 0;
  // Expanded key mode only: overwrites the key bit stored beside bank `bank`'s
  // weight register of PE (r, c) (fault injection; read back with peek).
  virtual void poke_key_bit(int bank, int r, int c, bool v) = 0;
  virtual bool peek_key_bit(int bank, int r, int c) const = 0;
  // All data/valid inputs to 0 (rst_n unchanged).
  virtual void set_idle() = 0;
  // Every input port of the port table (KEYMAC_ARRAY_PORTS in
  // sim/core/array_ports.h; not clk_i / rst_ni, nor the expanded mode's
  // kx_* ports) from `in`, whose vectors must have cols() / rows() lanes
  // (std::invalid_argument otherwise).
  virtual void set_inputs(const ArrayInputs& in) = 0;
  // Every output port of the port table into `out` (resize()d: cols() sums).
  virtual void get_outputs(ArrayOutputs& out) const = 0;

  // Outputs of the current cycle.
  virtual bool key_sealed() const = 0;
  virtual bool key_err() const = 0;
  virtual bool psum_valid() const = 0;
  virtual int32_t psum(int col) const = 0;

  // End the current cycle (one rising edge of clk_i).
  virtual void step() = 0;
  virtual uint64_t cycle() const = 0;

  // Synchronous reset for `cycles` cycles, inputs idle; rst_n = 1 afterwards.
  void reset(int cycles = 2) {
    set_idle();
    set_rst_n(false);
    for (int i = 0; i < cycles; ++i) step();
    set_rst_n(true);
  }

  // False for a model verilated without --trace (make_rtl_array_untraced):
  // its trace_open() throws std::logic_error.
  virtual bool traceable() const { return true; }
  virtual void trace_open(const std::string& vcd_path, uint64_t period_ps = 1000, uint64_t first = UINT64_MAX) = 0;
  virtual void trace_close() = 0;
  // The first failed trace write (e.g. "No space left on device"), or "". A
  // failed write never stops the simulation inside Verilator (its fatal
  // handler would deadlock on the trace mutex); the caller checks this.
  virtual std::string trace_error() const { return {}; }
};

}  // namespace keymac::rtl
