// `keymac sweep SPEC` (run a sweep or one shard of it), `--emit slurm|parallel`
// (write a launcher for a sharded sweep) and `keymac sweep merge` (join shard
// results). Formats and semantics: docs/SWEEP.md.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <memory>

#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/sweep/sweep_emit.h"
#include "host/sweep/sweep_merge.h"
#include "host/sweep/sweep_runner.h"
#include "host/sweep/sweep_spec.h"
#include "sim/core/error.h"

namespace keymac::cli {

namespace {
std::string self_exe() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw Error("/proc/self/exe: cannot find the keymac binary");
  return std::string(buf, static_cast<size_t>(n));
}
}  // namespace

void add_sweep(CLI::App& app, Runner& run) {
  struct Opts {
    std::string spec, out, shard = "1/1", emit, partition, time;
    int jobs = 1, shards = 1;
    bool resume = false, overwrite = false, progress = true, dry_run = false;
    std::vector<std::string> inputs;
    std::string merge_out, csv, merge_spec;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("sweep", "Run a design-space sweep (cartesian product of axes) into JSON Lines; shard it; "
                                        "emit Slurm / GNU parallel launchers; merge shards (docs/SWEEP.md)");
  c->add_option("spec", o->spec, "sweep spec, JSON (docs/SWEEP.md)");
  c->add_option("-o,--out", o->out,
                "results file (default <name>.jsonl, or <name>.shard-I-of-N.jsonl); with --emit: output directory");
  c->add_option("-j,--jobs", o->jobs, "points run at once (each single-threaded when > 1)")->capture_default_str()->check(int_range(1, 1024));
  c->add_option("--shard", o->shard, "run only shard I of N (points with index % N == I-1)")->capture_default_str();
  c->add_flag("--resume", o->resume, "continue the results file: skip points already in it");
  c->add_flag("--overwrite", o->overwrite, "start the results file again if it exists");
  c->add_flag("!--no-progress", o->progress, "no progress bar");
  c->add_flag("--dry-run", o->dry_run, "validate the spec and list the points of the shard; run nothing");
  c->add_option("--emit", o->emit, "write a launcher instead of running: slurm (sbatch job array) or parallel (GNU parallel)");
  c->add_option("--shards", o->shards, "--emit: number of shards (array tasks)")->capture_default_str()->check(int_range(1, 100000));
  c->add_option("--partition", o->partition, "--emit slurm: partition");
  c->add_option("--time", o->time, "--emit slurm: time limit per array task (e.g. 02:00:00)");

  auto* m = c->add_subcommand("merge", "Join shard result files into one JSONL (+ CSV); report missing and duplicate points");
  m->add_option("inputs", o->inputs, "shard results files (JSON Lines)")->required();
  m->add_option("-o,--out", o->merge_out, "merged JSON Lines file")->required();
  m->add_option("--csv", o->csv, "also write the main columns as CSV");
  m->add_option("--spec", o->merge_spec, "the sweep spec: list points that no input holds (exit 1 if any)");
  m->callback([o, &run] {
    run = [o] {
      std::unique_ptr<SweepSpec> spec;
      if (!o->merge_spec.empty()) spec = std::make_unique<SweepSpec>(load_sweep_spec(o->merge_spec));
      const MergeSummary s = merge_results(o->inputs, o->merge_out, o->csv, spec.get());
      std::printf("merged %lld lines from %lld files: %lld points -> %s%s\n", static_cast<long long>(s.lines),
                  static_cast<long long>(s.inputs), static_cast<long long>(s.points), o->merge_out.c_str(),
                  o->csv.empty() ? "" : (" (+ " + o->csv + ")").c_str());
      if (s.duplicates) std::printf("duplicates: %lld (kept the first of each)\n", static_cast<long long>(s.duplicates));
      if (s.foreign) std::printf("not in the spec: %lld lines (left out)\n", static_cast<long long>(s.foreign));
      if (!spec) return 0;
      if (s.missing.empty()) {
        std::printf("complete: all %zu points of %s\n", spec->points.size(), o->merge_spec.c_str());
        return 0;
      }
      std::printf("missing: %zu of %zu points\n", s.missing.size(), spec->points.size());
      size_t shown = 0;
      for (const auto* p : s.missing) {
        if (++shown > 20) {
          std::printf("  ...\n");
          break;
        }
        std::printf("  %lld %s %s\n", static_cast<long long>(p->index), p->id.c_str(), p->params.dump().c_str());
      }
      std::fprintf(stderr, "keymac: sweep merge: %zu of %zu points of %s are missing\n", s.missing.size(),
                   spec->points.size(), o->merge_spec.c_str());
      return 1;
    };
  });

  c->callback([o, m, &run] {
    if (m->parsed()) return;
    run = [o] {
      if (o->spec.empty()) throw Error("sweep: give a SPEC file (or `keymac sweep merge ...`)");
      const SweepSpec spec = load_sweep_spec(o->spec);
      if (!o->emit.empty()) {
        EmitOptions e;
        e.kind = o->emit;
        e.shards = o->shards;
        e.jobs = o->jobs;
        e.out_dir = o->out;
        e.keymac = self_exe();
        e.partition = o->partition;
        e.time = o->time;
        std::fputs(emit_launcher(spec, e).c_str(), stdout);
        return 0;
      }
      SweepRunOptions r;
      parse_shard(o->shard, r.shard, r.shards);
      r.jobs = o->jobs;
      r.resume = o->resume;
      r.overwrite = o->overwrite;
      r.progress = o->progress;
      r.self_exe = self_exe();
      r.out = !o->out.empty() ? o->out
              : r.shards == 1 ? spec.name + ".jsonl"
                              : spec.name + ".shard-" + std::to_string(r.shard) + "-of-" + std::to_string(r.shards) + ".jsonl";
      if (o->dry_run) {
        size_t n = 0;
        for (const auto& p : spec.points) {
          if (p.index % r.shards != r.shard - 1) continue;
          ++n;
          std::printf("%lld %s %s\n", static_cast<long long>(p.index), p.id.c_str(), p.params.dump().c_str());
        }
        std::printf("%s: %zu points (%lld before drop_if); shard %s: %zu points\n", o->spec.c_str(), spec.points.size(),
                    static_cast<long long>(spec.product), o->shard.c_str(), n);
        return 0;
      }
      const SweepSummary s = run_sweep(spec, r, &g_stop);
      std::printf("sweep %s (shard %d/%d, %lld points): %lld done, %lld already in %s, %lld failed%s\n",
                  spec.name.c_str(), r.shard, r.shards, static_cast<long long>(s.in_shard), static_cast<long long>(s.done),
                  static_cast<long long>(s.skipped), r.out.c_str(), static_cast<long long>(s.failed),
                  s.interrupted ? "; interrupted: finished points are saved, rerun with --resume" : "");
      if (s.interrupted) return 130;
      return s.failed ? 1 : 0;
    };
  });
}

}  // namespace keymac::cli
