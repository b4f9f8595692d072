// Options a backend cannot honour are refused, never ignored: one table says
// which backends model what, and `keymac run` and sweep specs both check it
// before anything runs (docs/TRACES.md, "No silent no-ops").
//
// Contract: check_honoured() throws keymac::Error with one line naming the
// first given option that would have no effect and why (e.g. "--dram-bw: the
// functional backend has ideal memory; only --backend systemc models DRAM and
// SRAM (with --finite-memory)"); it returns normally when every given option
// is honoured. `given` holds CLI flag names ("--vcd"); `finite_memory` is the
// memory configuration after flags and --mem-config.
#pragma once
#include <string>
#include <vector>

namespace keymac {

void check_honoured(const std::string& backend, const std::vector<std::string>& given, bool finite_memory);

// The CLI flag of a sweep parameter ("dram_bw" -> "--dram-bw").
std::string flag_of_param(const std::string& param);

}  // namespace keymac
