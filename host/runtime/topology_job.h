// `keymac run --topology FILE`: cycles, stalls, utilisation, energy and area
// per layer of a layer list (host/runtime/topology_file.h) with no model and
// no dataset, next to SCALE-Sim's cycle count for the same layer and array.
//
// Contract:
//  * Timing is the closed form of ARCHITECTURE.md section 8 (Schedule) with
//    ideal memory, or MemorySystem's plan when the SCALE-Sim config sets
//    InterfaceBandwidth USER (DRAM bytes per cycle = Bandwidth, latency 0,
//    SRAM sizes from the config); stalls = plan cycles - closed form.
//  * scalesim_cycles = F * (2R + C + M - 2) - 1: SCALE-Sim v2/v3 weight-stationary
//    compute cycles (folds not overlapped; what it reports as Total Cycles with
//    no stalls). difference = scalesim_cycles - cycles(ideal) =
//    (F - 1) * (2R + C + M - 2 - max(M, R))   [double_buffer_saving: keymac
//    loads the next fold's weights into the shadow bank and overlaps fill/drain]
//    + R - 3                                  [last_fold_difference].
//  * Energy: the ideal schedule's activity counts (host/energy/activity.h,
//    estimate_memory) priced with the energy table, keyed and plain, per layer;
//    the key load once per run in the total. Operand values are needed only
//    when the table gates zero operands (zero_operand_mac_factor != 1) or for
//    Accelergy's register toggles: then seeded random int8 operands (seed).
//  * Area: AreaTable for the keyed and the plain array plus the three SRAMs.
//  * The JSON has "layers"[] with "cycles" and "scalesim_cycles" and "total".
#pragma once
#include <nlohmann/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/core/geometry.h"

namespace keymac {

struct TopologyConfig {
  std::string topology;                 // layer list (required)
  std::string scalesim_config;          // SCALE-Sim .cfg (optional)
  std::optional<Geometry> array;        // overrides the config's array; default 16x16
  std::string energy_table;             // YAML/JSON overriding the energy table
  double clock_mhz = 1000.0;
  uint64_t seed = 1;                    // random operands, when values are needed
  std::string accelergy_dir;            // write Accelergy inputs here (host/energy/accelergy.h)
  std::string scalesim_dir;             // write SCALE-Sim traces + reports here
  bool scalesim_per_layer_cycles = true;
  uint64_t window_from = 0, window_to = UINT64_MAX;  // --trace-window (global cycles)
  uint64_t trace_limit_mb = 100;
  bool force_trace = false;
};

nlohmann::json run_topology(const TopologyConfig& cfg);
std::string topology_text(const nlohmann::json& report);

}  // namespace keymac
