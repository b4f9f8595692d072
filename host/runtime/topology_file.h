// Workloads given as layer lists instead of a model (`keymac run --topology`):
// SCALE-Sim's topology CSVs and config file, and a plain list of GEMM shapes.
//
// Contract:
//  * read_topology() recognises the format from the first line:
//      conv   SCALE-Sim conv topology: header naming "IFMAP Height", rows
//             name, ifmap H, ifmap W, filter H, filter W, channels, filters,
//             stride[, stride W][,] ; a name containing "DP" is depth-wise and
//             becomes one single-channel layer per channel, as SCALE-Sim does
//      gemm   SCALE-Sim GEMM topology (its -i gemm form): header "name, M, N, K",
//             rows name, M, N, K[,]
//      mkn    plain list: every line "M,K,N" (three integers, no header);
//             empty lines, rows of empty fields (",,,,") and lines starting
//             with '#' are skipped (all formats)
//    Conv layers lower as SCALE-Sim's: out = ceil((H - FH + S) / S), M = outH*outW,
//    K = FH*FW*C, N = filters (no padding). Any other content is a
//    keymac::Error "FILE:LINE: problem".
//  * read_scalesim_config() reads SCALE-Sim's .cfg (INI; keys case-insensitive,
//    ':' or '='): ArrayHeight/ArrayWidth, Dataflow (only "ws" is accepted:
//    keymac's array is weight-stationary), the three offsets, SRAM sizes (kB),
//    InterfaceBandwidth (CALC or USER) and Bandwidth (words per cycle).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/geometry.h"
#include "traces/scalesim_trace.h"

namespace keymac {

struct Topology {
  std::string path;
  std::string format;  // "conv", "gemm" or "mkn"
  std::vector<traces::ScaleSimLayer> layers;
};

struct ScaleSimConfig {
  std::string path, run_name;
  Geometry array;
  std::string dataflow = "ws";
  int64_t ifmap_offset = 0, filter_offset = traces::kScaleSimFilterOffset, ofmap_offset = traces::kScaleSimOfmapOffset;
  int64_t ifmap_sram_kb = 64, filter_sram_kb = 64, ofmap_sram_kb = 64;
  bool user_bandwidth = false;  // InterfaceBandwidth USER (else CALC)
  double bandwidth = 10;        // words (bytes) per cycle, first value
};

Topology read_topology(const std::string& path);
ScaleSimConfig read_scalesim_config(const std::string& path);

}  // namespace keymac
