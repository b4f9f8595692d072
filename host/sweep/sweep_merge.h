// `keymac sweep merge`: joins shard result files into one JSON Lines file
// (and optionally a CSV of the main columns), ordered by point index.
// Contract: a point id seen more than once is kept once (the first) and
// counted as a duplicate; with a spec, points of the spec that no input
// holds are listed as missing. Outputs are written atomically.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/sweep/sweep_spec.h"

namespace keymac {

struct MergeSummary {
  int64_t inputs = 0, lines = 0, points = 0, duplicates = 0, foreign = 0;
  std::vector<const SweepPoint*> missing;  // only with a spec
};

MergeSummary merge_results(const std::vector<std::string>& inputs, const std::string& out, const std::string& csv,
                           const SweepSpec* spec);

}  // namespace keymac
