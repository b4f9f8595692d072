// Runs the points of a sweep (or of one shard of it) and appends each
// finished point to a JSON Lines results file (results_file.h).
//
// Contract:
//  * Shard I/N (1 <= I <= N) holds the points whose index % N == I-1; the N
//    shards are disjoint and together hold every point.
//  * With resume, points whose id is already in the output are skipped.
//  * jobs > 1 runs that many points at once, each single-threaded. Points on
//    the "systemc" backend (not thread-safe: one SystemC kernel per process)
//    run in child processes (`keymac run --json`), never in-process.
//  * When *stop becomes true, no new point starts; points in flight are
//    stopped and abandoned: only complete reports are ever written.
//  * A point that fails (run_job throws) is reported on stderr and not
//    written; the summary counts it.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "host/sweep/sweep_spec.h"

namespace keymac {

struct SweepRunOptions {
  std::string out;          // results file
  int jobs = 1;
  int shard = 1, shards = 1;
  bool resume = false, overwrite = false;
  bool progress = true;     // progress bar on a terminal (never under CI)
  std::string self_exe;     // keymac binary for child processes
};

struct SweepSummary {
  int64_t in_shard = 0, skipped = 0, done = 0, failed = 0;
  bool interrupted = false;
};

SweepSummary run_sweep(const SweepSpec& spec, const SweepRunOptions& opt, const std::atomic<bool>* stop);

// Parses "I/N"; throws keymac::Error naming --shard.
void parse_shard(const std::string& text, int& shard, int& shards);

}  // namespace keymac
