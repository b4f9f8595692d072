// What a run's traces cover, said after the run: one line per trace written,
// "wrote FILE (cycles A..B of N, layers ...)", and a warning when the trace
// window covers only part of the traced run (docs/TRACES.md).
//
// Contract: trace_notes() reads the run's report (cycles.keyed,
// cycles.keyed_total, layers[].name/cycles, array) and the trace options of
// cfg. Cycles are global (0 = first key-load cycle); the VCD and the RTL SAIF
// cover the right-key evaluation (key load + every batch), the direct SAIF
// its replay of one batch. A trace whose window starts after the traced run
// is reported with empty == true (the caller deletes it and fails: no empty
// trace files).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/runtime/run_job.h"

namespace keymac {

struct TraceNote {
  std::string path;
  std::string line;     // "wrote ..." or the reason it is empty
  std::string warning;  // non-empty: the window covers part of the run
  bool empty = false;
};

std::vector<TraceNote> trace_notes(const RunConfig& cfg, const nlohmann::json& report);

// The note of report["scalesim_trace"] ({path, line, warning}, written by
// `run` and `run --topology` after traces::write_scalesim_traces); the
// window check there refuses an empty SCALE-Sim trace before writing.
TraceNote scalesim_trace_note(const nlohmann::json& report);

}  // namespace keymac
