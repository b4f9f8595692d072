// Lock-step co-simulation of the model and the verilated RTL of km_array
// (ARCHITECTURE.md section 7): both receive the Sequencer's inputs every
// cycle, and every output port is compared every cycle.
//
// Model side: the SystemC model's cycle core, in both of its modes — the
// register-level WsArrayCore (single step) and the FastArray fast mode's
// per-cycle boundary values — which must agree with each other and the RTL.
//
// Contract:
//  * load_key() resets both and shifts the key in (R*C cycles); the RTL may be
//    given different bits (fault injection) — the model always gets `model_bits`.
//  * Expanded key mode (ARCHITECTURE.md 11; Lockstep(g, true, true) needs the
//    KeyMode = 1 RTL): set_expanded_key(src) before load_key(), whose bits are
//    then the 80 master-key bits; run_layer(p, y, layer) starts each layer with
//    the key unit's warm-up (kx_start_i with IV(layer)), compared every cycle
//    like the rest. set_key_fault(r, c) inverts the key bits stored beside PE
//    (r, c)'s weight registers in the RTL only, after every edge (a
//    persistent fault of that PE's key storage).
//  * run_layer() runs one GEMM with ideal memory (section 8 plan), returns the
//    model's M x N result and stops at the first cycle where any port differs.
//  * A mismatch is reported with the global cycle (from the first reset), the
//    phase, the port name (psum_data_o[c] for column c), both values; if a
//    waveform path was set, a VCD of the RTL around that cycle is written by a
//    deterministic re-run (the run is repeatable from the same inputs). The
//    VCD's time zero is global cycle 0 (not the window's start): cycle t's
//    port values are at t * period_ps ps, so the wrong value of the reported
//    cycle is at cycle * period_ps (the RTL's clock rises half a cycle later).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/array_ports.h"
#include "sim/core/key.h"
#include "sim/core/sequencer.h"

namespace keymac {

namespace rtl { class RtlArray; }
class CycleDriver;

struct Mismatch {
  uint64_t cycle = 0;        // global cycle since reset
  std::string phase;         // "key load" or "layer <i> cycle <t>"
  std::string signal;        // port name
  std::string model_value, rtl_value;
  std::string wave_path;     // VCD around the mismatch (empty if not written)
  std::string str() const;
};

// The first output port of the table (sim/core/array_ports.h order) on which
// `model` and `rtl` differ, with both values; signal is the port name, or
// "psum_data_o[c] (column c)" for lane c of a vector port. cycle and phase
// are left for the caller. Every output port and lane is compared.
std::optional<Mismatch> first_output_mismatch(Geometry g, const ArrayOutputs& model, const ArrayOutputs& rtl);

class Lockstep {
 public:
  // Throws keymac::Error listing the verilated geometries if g is not built.
  Lockstep(Geometry g, bool keyed, bool expanded = false);
  ~Lockstep();
  // The waveform's time of cycle t is t * period_ps ps (t as in Mismatch::cycle).
  void set_wave(const std::string& path, uint64_t half_window, uint64_t period_ps = 1000) {
    wave_ = path;
    half_ = half_window;
    period_ps_ = period_ps;
  }
  // Returns a mismatch, if any (the model state is then undefined until the next load_key()).
  std::optional<Mismatch> load_key(const std::vector<uint8_t>& model_bits, const std::vector<uint8_t>& rtl_bits);
  std::optional<Mismatch> run_layer(const GemmProblem& p, std::vector<int32_t>& y, int64_t layer = 0);
  void set_expanded_key(const KeySource& src);
  void set_key_fault(int row, int col);
  uint64_t cycles() const { return cycle_; }

 private:
  struct Layer {
    std::vector<int8_t> x, w;
    GemmProblem p;
    int64_t index = 0;  // GEMM layer of the model (the expanded key's IV)
  };
  std::optional<Mismatch> replay_for_wave(Mismatch m);
  std::optional<Mismatch> compare(const ArrayOutputs& model, const std::string& phase);
  std::optional<Mismatch> key_phase();
  std::optional<Mismatch> layer_phase(const Layer& l, size_t index, std::vector<int32_t>* y);

  void step_rtl();  // one RTL edge, tracing window and fault injection included
  // compare(): the model's outputs against the RTL's (Model::rtl_out), port by port.
  Geometry g_;
  bool keyed_, expanded_ = false;
  std::unique_ptr<KeySource> kx_;
  std::optional<std::pair<int, int>> fault_;
  std::unique_ptr<rtl::RtlArray> rtl_;
  std::string wave_;
  uint64_t half_ = 16;
  uint64_t period_ps_ = 1000;
  uint64_t cycle_ = 0;
  std::vector<uint8_t> model_bits_, rtl_bits_;
  std::vector<Layer> history_;          // for the deterministic replay
  std::optional<uint64_t> trace_from_, trace_to_;
  struct Model;
  std::unique_ptr<Model> model_;
  class Device;  // model and RTL in one cycle, for the CycleDriver
  std::unique_ptr<Device> device_;
  std::unique_ptr<CycleDriver> driver_;
};

}  // namespace keymac
