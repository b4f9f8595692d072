// The cycle-by-cycle run shared by the tests/sim suites: a WsArrayCore driven
// by the CycleDriver (sim/core/cycle_driver.h) through reset, the key load, one
// layer and a few idle cycles after it, keeping what the tests compare.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/core_device.h"
#include "sim/core/cycle_driver.h"

namespace keymac::test {

struct StepRun {
  std::vector<int32_t> y;
  std::vector<ArrayOutputs> outs;  // per layer cycle (and idle cycle after it), if kept
  int64_t last_valid = -1;         // last cycle (layer numbering) with psum_valid
};

// Reset, key_bits (none: no key load), seq's layer, then `idle` cycles numbered
// on after the layer, whose outputs seq.collect() must accept too.
inline StepRun run_step(WsArrayCore& core, Sequencer& seq, const std::vector<uint8_t>& key_bits, int64_t idle,
                        bool keep_outs) {
  CoreDevice dev(core);
  CycleDriver drive(dev, seq.problem().geometry);
  drive.reset();
  drive.load_key(key_bits);
  StepRun run;
  drive.set_observer([&](const CycleView& v) {
    if (v.phase == CyclePhase::kKeyLoad) return true;
    const int64_t t = v.phase == CyclePhase::kLayer ? v.index : seq.cycles() + v.index;
    if (v.out.psum_valid) run.last_valid = t;
    if (keep_outs) run.outs.push_back(v.out);
    if (v.phase == CyclePhase::kIdle) seq.collect(t, v.out);
    return true;
  });
  drive.run_layer(seq);
  drive.idle(idle);
  run.y = seq.y();
  return run;
}

}  // namespace keymac::test
