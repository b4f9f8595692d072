// The default values of keymac's memory and run settings. Every other fact
// about a setting (name, type, unit, range, description, where it is accepted)
// is declared once in the settings registry, host/backend/settings.cc, which
// reads its defaults from here; sim/core's MemoryConfig and the host's
// MemoryOptions, BackendOptions and RunConfig initialise their fields from
// these constants, so each default is written once.
//
// Contract: one constant per registry setting, named as the setting; a value
// here is the default everywhere (CLI flag, JSON config, sweep, docs table).
#pragma once
#include <cstdint>

namespace keymac::setting_default {

inline constexpr bool finite_memory = false;       // ideal memory unless asked
inline constexpr double dram_bw = 16;               // bytes per cycle
inline constexpr uint32_t dram_latency = 100;       // cycles
inline constexpr uint32_t wbuf_kib = 64;            // KiB
inline constexpr uint32_t ibuf_kib = 64;            // KiB
inline constexpr uint32_t abuf_kib = 64;            // KiB
inline constexpr const char* timing = "fold";       // fold | cycle
inline constexpr const char* rtl_grid = "auto";     // auto | pe | sim
inline constexpr double clock_mhz = 1000.0;         // MHz

}  // namespace keymac::setting_default
