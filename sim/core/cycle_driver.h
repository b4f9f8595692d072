// CycleDriver: the one loop that feeds an array cycle by cycle at its
// boundary (ARCHITECTURE.md sections 5-8): reset, the serial key load, then
// a layer's ArrayInputs from the Sequencer, collecting its ArrayOutputs.
// Every backend, tracer, test and benchmark that steps a layer cycle by
// cycle runs it through this class; what differs (a register-level core, a
// verilated RTL, both in lock step) is the CycleDevice.
//
// Contract:
//  * CycleDevice::step(in, out) is one cycle: `out` receives the output
//    ports during the cycle (registered: they do not depend on `in`), then
//    the rising edge that ends the cycle samples `in`. reset() is rst_ni = 0
//    (every register 0, key unsealed); its cycles are not counted.
//  * reset() resets the device; cycle() counts driven cycles from there.
//  * load_key(bits) drives bits.size() key-load cycles (Sequencer::key_inputs:
//    key_valid = 1 and bit j in cycle j): the R*C periodic key bits
//    (Key::serial / KeySource::bits) or the 80 master-key bits of the
//    expanded mode. idle(n) drives n cycles with every input 0.
//  * run_layer(seq) drives layer cycles t = 0 .. seq.cycles()-1 with
//    seq.inputs(t) and hands each cycle's outputs to seq.collect(t), so
//    seq.y() is the layer result afterwards. prepare_layer() sets the
//    Sequencer's key warm-up for the expanded key mode (KeySource) first.
//  * The observer, if set, sees every driven cycle (phase, index in the
//    phase, global cycle, inputs, outputs) after the device's step and before
//    collect; returning false stops the phase there (load_key / idle /
//    run_layer then return false, the stopped cycle is not collected).
//  * last_valid() is the last layer cycle of the latest run_layer() whose
//    psum_valid was 1 (-1: none); the schedule says seq.cycles() - 1.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/array_ports.h"
#include "sim/core/key.h"
#include "sim/core/sequencer.h"

namespace keymac {

class CycleDevice {
 public:
  virtual ~CycleDevice() = default;
  virtual void reset() = 0;
  virtual void step(const ArrayInputs& in, ArrayOutputs& out) = 0;
};

enum class CyclePhase { kKeyLoad, kIdle, kLayer };

struct CycleView {
  CyclePhase phase;
  int64_t index;   // key bit j, idle cycle k, or layer cycle t
  uint64_t cycle;  // global cycle since reset()
  const ArrayInputs& in;
  const ArrayOutputs& out;
};

class CycleDriver {
 public:
  using Observer = std::function<bool(const CycleView&)>;
  CycleDriver(CycleDevice& device, Geometry g);

  void set_observer(Observer observer) { observer_ = std::move(observer); }
  void reset();
  bool load_key(const std::vector<uint8_t>& bits);
  bool idle(int64_t cycles);
  bool run_layer(Sequencer& seq);
  // Expanded key (KeySource::mode() == kExpanded): the layer starts with the
  // key unit's warm-up and IV(layer); otherwise (periodic, plain) nothing.
  static void prepare_layer(Sequencer& seq, const KeySource* key, int64_t layer);

  uint64_t cycle() const { return cycle_; }
  int64_t last_valid() const { return last_valid_; }
  Geometry geometry() const { return g_; }

 private:
  bool drive(CyclePhase phase, int64_t index);
  CycleDevice& dev_;
  Geometry g_;
  Observer observer_;
  ArrayInputs in_;
  ArrayOutputs out_;
  uint64_t cycle_ = 0;
  int64_t last_valid_ = -1;
};

}  // namespace keymac
