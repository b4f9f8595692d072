// `keymac plot REPORT.json` for a `keymac attack --json` report: PNG figures
// with gnuplot (run through posix_spawn with an argument vector, no shell):
// accuracy vs Hamming distance (mean with min..max bars), the per-bit
// sensitivity heat map, and the power attack's bits recovered vs traced
// cycles and vs noise. Returns one line per written file; throws
// keymac::Error naming the report or the gnuplot script on failure.
#pragma once
#include <string>
#include <vector>

namespace keymac {

// True if `path` is a JSON object with an "attacks" array.
bool is_attack_report(const std::string& path);
std::vector<std::string> plot_attack_report(const std::string& path, const std::string& out_dir);
// Runs gnuplot on a script; stderr goes to `err_path`. Throws on failure.
void run_gnuplot(const std::string& script, const std::string& err_path);

}  // namespace keymac
