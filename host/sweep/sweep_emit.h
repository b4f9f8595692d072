// Launch scripts for a sharded sweep (docs/SWEEP.md):
//  * slurm: an sbatch job-array script, one array task per shard; each task
//    runs `keymac sweep SPEC --shard I/N --resume` into its own results file,
//    so a requeued task continues where it stopped.
//  * parallel: the equivalent GNU parallel command line; extra arguments
//    (e.g. --sshloginfile FILE) pass through to parallel.
// Contract: paths in the scripts are absolute (the spec, the keymac binary,
// the output directory), so they must be visible on every node (shared file
// system). The script is written atomically and made executable.
#pragma once
#include <string>

#include "base/shell_quote.h"
#include "host/sweep/sweep_spec.h"

namespace keymac {

struct EmitOptions {
  std::string kind;       // "slurm" or "parallel"
  int shards = 1;
  int jobs = 1;           // points at once inside one shard (cpus-per-task)
  std::string out_dir;    // where the script, shard results and logs go
  std::string keymac;     // absolute path of the keymac binary
  std::string partition;  // slurm: optional
  std::string time;       // slurm: optional --time
};

// Writes the script; returns what to tell the user (how to submit and merge).
std::string emit_launcher(const SweepSpec& spec, const EmitOptions& o);

std::string absolute_path(const std::string& p);

}  // namespace keymac
