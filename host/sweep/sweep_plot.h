// `keymac plot`: PNG figures of sweep results with gnuplot (docs/SWEEP.md).
// Contract: reads JSON Lines results (one or more files), writes into out_dir
// the data files, one gnuplot script per figure and the PNGs; returns one
// line per figure written or skipped (with the reason). Throws keymac::Error
// when gnuplot is missing or fails (naming the script), or when the results
// hold no point.
#pragma once
#include <string>
#include <vector>

namespace keymac {

std::vector<std::string> plot_results(const std::vector<std::string>& inputs, const std::string& out_dir);

}  // namespace keymac
