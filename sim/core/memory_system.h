// The timing of one layer's operands through the on-chip buffers and the
// DRAM interface (docs/SYSTEMC.md "Memory system"), in plain C++.
//
// Contract:
//  * MemorySystem::plan(shape) returns the cycle of every weight-row write
//    and every activation presentation of the layer (a LayerPlan), the layer's
//    total cycles and the memory counters. It never looks at data, so results
//    cannot depend on it; it only delays W_f and the activation rows.
//  * With config.ideal (or unlimited bandwidth and zero latency) the plan is
//    exactly ARCHITECTURE.md section 8: W_f = f*P, S_f = f*P + 1, rows of a
//    fold presented in consecutive cycles, cycles == Schedule::cycles().
//  * Every plan satisfies section 8's legality conditions (tests check them):
//    W_f >= W_{f-1} + P, S_f >= W_f + 1, S_f > last row of fold f-1,
//    W_f > last row of fold f-2 (a bank is never rewritten while in use).
//  * Layer cycle 0 is the cycle in which the layer's first weight row may be
//    written with ideal memory; with real memory the first DRAM requests are
//    issued in cycle 0, so the initial fetch latency counts as stall.
//  * Parameters are validated by validate(); bad values throw keymac::Error
//    naming the parameter (the names are those of the JSON memory config).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/geometry.h"
#include "sim/core/schedule.h"
#include "sim/core/setting_defaults.h"

namespace keymac {

struct MemoryConfig {
  // Defaults: sim/core/setting_defaults.h (the settings registry's).
  bool ideal = !setting_default::finite_memory;
  double dram_bytes_per_cycle = setting_default::dram_bw;
  uint32_t dram_latency_cycles = setting_default::dram_latency;
  uint64_t weight_sram_bytes = uint64_t(setting_default::wbuf_kib) * 1024;
  uint64_t input_sram_bytes = uint64_t(setting_default::ibuf_kib) * 1024;
  uint64_t accum_sram_bytes = uint64_t(setting_default::abuf_kib) * 1024;

  // Throws keymac::Error naming the offending parameter. Buffer sizes are only
  // checked against the geometry's tiles when !ideal.
  void validate(Geometry g) const;
  // Smallest legal sizes for geometry g (one tile each).
  static uint64_t weight_tile_bytes(Geometry g) { return uint64_t(g.rows) * g.cols; }
  static uint64_t input_tile_bytes(Geometry g) { return uint64_t(g.rows) * g.rows; }
  static uint64_t accum_tile_bytes(Geometry g) { return 4ull * g.rows * g.cols; }
};

// Activation rows row0 .. row0+rows-1 of a fold are presented in the
// consecutive cycles start .. start+rows-1.
struct ActSegment {
  int64_t start;
  int64_t row0;
  int64_t rows;
};

struct FoldTiming {
  int64_t w_start;                // weight row r written in cycle w_start + r
  std::vector<ActSegment> acts;   // in row order, covering rows 0 .. M-1
  int64_t first_act() const { return acts.front().start; }
  int64_t last_act() const { return acts.back().start + acts.back().rows - 1; }
};

struct LayerPlan {
  GemmShape shape;
  Geometry geometry;
  std::vector<FoldTiming> folds;  // in fold order f = nt*Kt + kt
  int64_t cycles = 0;             // last output cycle + 1
  int64_t stall_cycles = 0;       // cycles - Schedule::cycles()
  std::map<std::string, uint64_t> counters;  // names in docs/SYSTEMC.md
};

class MemorySystem {
 public:
  MemorySystem(Geometry g, MemoryConfig config);  // validates config
  LayerPlan plan(GemmShape shape) const;
  const MemoryConfig& config() const { return cfg_; }

 private:
  Geometry g_;
  MemoryConfig cfg_;
};

}  // namespace keymac
