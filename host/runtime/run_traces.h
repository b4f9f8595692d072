// The optional outputs of `keymac run` besides accuracy and latency: energy
// per inference (keyed vs plain), Accelergy action counts, SCALE-Sim traces
// and the array-boundary SAIF. They come from one batch run through an
// ActivityProbe before the long evaluation, so a refused trace costs no wait.
// With --scalesim-trace, *scalesim_note (if given) receives {path, line,
// warning}: what the SCALE-Sim traces cover (traces::ScaleSimWritten).
// Contract: energy_and_traces() returns the report's "energy" object (null if
// --energy was not asked for) and writes the requested files atomically, or
// throws keymac::Error (e.g. a trace over its size limit) before writing any.
#pragma once
#include <nlohmann/json.hpp>

#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/run_job.h"
#include "sim/core/key.h"

namespace keymac {

nlohmann::json energy_and_traces(const RunConfig& cfg, const QuantModel& locked, const QuantModel& unlocked,
                                 const KeySource& key, const ImageSet& test, const BackendFactory& make, Geometry g,
                                 nlohmann::json* scalesim_note = nullptr);

}  // namespace keymac
