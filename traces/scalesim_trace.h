// SCALE-Sim-format address traces of keymac's ideal-memory schedule
// (ARCHITECTURE.md section 8), one directory per layer:
//   <dir>/layer<i>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv
// Each line is "cycle,addr,addr,..." with one column per array row (IFMAP,
// R columns) or per array column (FILTER and OFMAP, C columns) and -1 for an
// idle lane, as in SCALE-Sim (ifmap at offset 0, filter at 10,000,000, ofmap
// at 20,000,000; X[i][k] at i*K + k, W[k][n] at k*N + n, Y[i][n] at i*N + n).
//
// Contract:
//  * Cycles are keymac's global cycles: layers back to back from the first
//    layer's cycle 0 (Schedule::cycles() each). Only cycles inside the window
//    are written. SRAM traces have one line per cycle (dense); DRAM traces one
//    line per cycle with a transfer (sparse). See docs/TRACES.md for what a
//    cycle means compared with SCALE-Sim.
//  * write_scalesim_traces() first estimates the total size over the window
//    and throws keymac::Error with the estimate, creating nothing, if it is
//    above the limit and not forced. Files are written atomically.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/schedule.h"
#include "traces/trace_sink.h"

namespace keymac::traces {

struct ScaleSimLayer {
  std::string name;
  GemmShape shape;
};

constexpr int64_t kScaleSimFilterOffset = 10000000;
constexpr int64_t kScaleSimOfmapOffset = 20000000;

uint64_t estimate_scalesim_bytes(const std::vector<ScaleSimLayer>& layers, Geometry g, const TraceLimits& limits);
void write_scalesim_traces(const std::string& dir, const std::vector<ScaleSimLayer>& layers, Geometry g,
                           const TraceLimits& limits);

}  // namespace keymac::traces
