// Running external tools (yosys, vcd2fst, gnuplot, ...) without a shell.
// Contract: run_tool() starts argv[0] (searched on PATH as execvp does) with
// exactly the arguments given -- no shell ever parses them, so quotes, `$(...)`,
// `;` or newlines in a path are just characters of that path -- waits for it
// and returns its exit code (128 + signal when it was killed). Standard input
// is /dev/null; stdout/stderr go to the files named in SpawnOptions (created
// 0644, truncated; "/dev/null" to discard; empty: inherited). A tool that is
// not on PATH throws keymac::Error "<tool>: not found on PATH (<hint>)".
#pragma once
#include <string>
#include <vector>

namespace keymac {

struct SpawnOptions {
  std::string stdout_path;   // empty: inherit keymac's stdout
  std::string stderr_path;   // empty: inherit keymac's stderr
  std::string missing_hint;  // appended to the not-found error, e.g. "Debian: apt-get install yosys"
};

int run_tool(const std::vector<std::string>& argv, const SpawnOptions& opt = {});
// True when `tool` is an executable file on PATH (or an executable path).
bool tool_on_path(const std::string& tool);

}  // namespace keymac
