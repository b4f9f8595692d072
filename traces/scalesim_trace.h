// SCALE-Sim-format address traces and reports of keymac's ideal-memory
// schedule (ARCHITECTURE.md section 8), one directory per layer:
//   <dir>/layer<i>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv
//   <dir>/{COMPUTE,BANDWIDTH,DETAILED_ACCESS}_REPORT.csv
// Each trace line is "cycle,addr,addr,..." with one column per array row
// (IFMAP, R columns) or per array column (FILTER and OFMAP, C columns) and -1
// for an idle lane. Addresses follow SCALE-Sim v2/v3 (operand_matrix.py):
//   IFMAP  GEMM: X[i][k] at i*K + k; convolution: the input pixel
//          ((b*H + y)*W + x)*Cin + c (NHWC), -1 for a padding tap
//   FILTER W of output n, reduction index k at n*K + k
//   OFMAP  Y[i][n] at i*N + n
// each plus its offset (defaults 0, 10,000,000, 20,000,000 as SCALE-Sim).
// The reports have SCALE-Sim's exact header lines (simulator.py).
//
// Contract:
//  * A convolution's reduction index k maps to a tap (c, ky, kx) in keymac's
//    lowering order (ARCHITECTURE.md section 6, k = (c*kh + ky)*kw + kx) or,
//    with KOrder::kScaleSim, in SCALE-Sim's window order k = (ky*kw + kx)*Cin + c
//    (then every array row reads exactly the addresses SCALE-Sim's does).
//  * Folds run in the order f = nt*Kt + kt (as SCALE-Sim's WS: column folds
//    outer); within a fold, each array row reads X[0..M-1] in order and each
//    column writes Y[0..M-1]; weight row r of fold f is written in cycle f*P + r
//    (keymac's addressed rows, 0 first; SCALE-Sim shifts them in R-1 first).
//  * Cycles are keymac's global cycles (layers back to back, Schedule::cycles()
//    each) or, with per_layer_cycles, each layer from 0 as in SCALE-Sim. Only
//    cycles inside the window (global cycles) are written. SRAM traces have one
//    line per cycle (dense); DRAM traces one line per cycle with a transfer.
//    IFMAP DRAM lanes hold an address at its first use in the layer only (a
//    conv input pixel is fetched once, as SCALE-Sim counts DRAM IFMAP reads).
//  * Reports cover whole layers whatever the window, in the traces' cycle
//    numbering; stall cycles are 0 (ideal memory). Access counts are lanes
//    holding an operand, a padding tap included (SCALE-Sim counts its reads).
//  * write_scalesim_traces() first estimates the total size over the window
//    and throws keymac::Error with the estimate, creating nothing, if it is
//    above the limit and not forced. Files are written atomically.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/schedule.h"
#include "traces/trace_sink.h"

namespace keymac::traces {

struct ScaleSimConv {
  enum class KOrder { kKeymac, kScaleSim };
  int64_t ifmap_h = 1, ifmap_w = 1, channels = 1;
  int64_t filter_h = 1, filter_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // keymac models only; SCALE-Sim has none
  int64_t out_h = 1, out_w = 1;       // M = batch * out_h * out_w
  KOrder k_order = KOrder::kKeymac;
};

struct ScaleSimLayer {
  ScaleSimLayer(std::string n, GemmShape s, std::optional<ScaleSimConv> c = std::nullopt)
      : name(std::move(n)), shape(s), conv(c) {}
  std::string name;
  GemmShape shape;
  std::optional<ScaleSimConv> conv;  // absent: a GEMM
};

constexpr int64_t kScaleSimFilterOffset = 10000000;
constexpr int64_t kScaleSimOfmapOffset = 20000000;

struct ScaleSimOptions {
  bool per_layer_cycles = false;  // true: every layer's cycles start at 0 (SCALE-Sim)
  bool reports = true;            // write the three report CSVs
  int64_t ifmap_offset = 0, filter_offset = kScaleSimFilterOffset, ofmap_offset = kScaleSimOfmapOffset;
};

// Address of activation row i, reduction index k (-1: padding tap).
int64_t scalesim_ifmap_addr(const ScaleSimLayer& l, int64_t i, int64_t k, const ScaleSimOptions& o = {});

// One trace's first and last cycle with an access (-1 if none) and its accesses.
struct ScaleSimAccess {
  int64_t start = -1, stop = -1;
  uint64_t count = 0;
};
struct ScaleSimReport {
  int64_t cycles = 0, stall_cycles = 0;
  double overall_util = 0, mapping_eff = 0, compute_util = 0;  // percent
  ScaleSimAccess sram[3], dram[3];                             // IFMAP, FILTER, OFMAP
};
// The report of one layer (cycles from `first_cycle`), scanning every cycle.
ScaleSimReport scalesim_report(const ScaleSimLayer& l, Geometry g, int64_t first_cycle = 0,
                               const ScaleSimOptions& o = {});
// The three CSV files' contents, SCALE-Sim's headers and number layout.
std::string scalesim_compute_report_csv(const std::vector<ScaleSimReport>& r);
std::string scalesim_bandwidth_report_csv(const std::vector<ScaleSimReport>& r);
std::string scalesim_detailed_report_csv(const std::vector<ScaleSimReport>& r);

uint64_t estimate_scalesim_bytes(const std::vector<ScaleSimLayer>& layers, Geometry g, const TraceLimits& limits);
// What write_scalesim_traces wrote: global cycles first..last of total (the
// traced layers back to back), the layers the window reaches (each has a
// layer<i> directory), the files written and the traces left out because the
// window holds none of their lines (no empty trace files).
struct ScaleSimWritten {
  uint64_t first = 0, last = 0, total_cycles = 0;
  std::vector<std::string> layers;
  std::vector<std::string> skipped;
  int files = 0;
  // "wrote DIR (cycles A..B of N, layers a, b; F files)" and, when the window
  // covers part of the run, the warning text (else "").
  std::string line(const std::string& dir) const;
  std::string warning(const std::string& dir) const;
};
// Throws keymac::Error, creating nothing, when the window starts after the
// last cycle of the layers (an empty trace) or the size estimate is too big.
ScaleSimWritten write_scalesim_traces(const std::string& dir, const std::vector<ScaleSimLayer>& layers, Geometry g,
                                      const TraceLimits& limits, const ScaleSimOptions& opts = {});

}  // namespace keymac::traces
