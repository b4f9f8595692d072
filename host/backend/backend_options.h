// Options a backend may use. The memory and timing settings are declared
// once in the settings registry (host/backend/settings.h: name, type, unit,
// range, description) with their defaults in sim/core/setting_defaults.h; the
// CLI flags, the JSON memory config and the sweep axes all come from it.
// Backends that do not model a feature ignore its options.
#pragma once
#include <cstdint>
#include <string>

#include "sim/core/setting_defaults.h"

namespace keymac {

struct MemoryOptions {
  bool ideal = !setting_default::finite_memory;  // true: every operand on chip in time (closed-form cycles)
  double dram_bytes_per_cycle = setting_default::dram_bw;
  uint32_t dram_latency_cycles = setting_default::dram_latency;
  uint32_t weight_sram_kib = setting_default::wbuf_kib;
  uint32_t input_sram_kib = setting_default::ibuf_kib;
  uint32_t accum_sram_kib = setting_default::abuf_kib;
};

struct TraceOptions {
  std::string vcd_path;            // empty: no waveform
  std::string saif_path;           // rtl: SAIF of the RTL hierarchy for the window (empty: none)
  uint64_t window_from = 0;        // first traced cycle (global cycle count)
  uint64_t window_to = 10000;      // last traced cycle, inclusive
  uint64_t period_ps = 1000;       // one cycle in every waveform/SAIF (trace_period_ps(--clock-mhz))
  std::string saif_names = "nested";  // rtl SAIF instance names: nested | yosys-hier | yosys-flat
  bool trace_key = false;          // keep the key port / key register in traces (--trace-key)
};

// The --clock-mhz period in ps, rounded to an even number (>= 2) so that a
// half cycle (the clock edge) is a whole ps: 1000 MHz -> 1000, 333 -> 3002.
uint64_t trace_period_ps(double clock_mhz);

struct BackendOptions {
  MemoryOptions memory;
  TraceOptions trace;
  std::string cache_dir;           // for backends that build or cache artefacts
  // systemc: "fold" (default: a fold at a time, timing from MemorySystem::plan)
  // or "cycle" (the memory system and the register-level array stepped every cycle).
  std::string timing = setting_default::timing;
  // rtl: which form of km_array's PE grid runs (docs/RTL.md "The simulation
  // form of the PE grid"): "pe" the km_pe instances (the synthesised form),
  // "sim" the simulation form (untraced), "auto" (default) sim unless a VCD
  // or SAIF is written.
  std::string rtl_grid = setting_default::rtl_grid;
};

}  // namespace keymac
