// `keymac plot RESULTS.jsonl... [-o DIR]`: PNG figures of sweep results (docs/SWEEP.md).
#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/security/attack_plot.h"  // security issue
#include "host/sweep/sweep_plot.h"

namespace keymac::cli {

void add_plot(CLI::App& app, Runner& run) {
  struct Opts {
    std::vector<std::string> inputs;
    std::string out = "plots";
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("plot", "Plot sweep results with gnuplot: cycles and utilisation vs array size, area "
                                       "overhead, accuracy per point, latency/area Pareto front (PNG)");
  c->add_option("results", o->inputs, "sweep results (JSON Lines, from `keymac sweep` or `sweep merge`)")->required();
  c->add_option("-o,--out", o->out, "output directory")->capture_default_str();
  c->callback([o, &run] {
    run = [o] {
      // security issue: a `keymac attack --json` report has its own figures.
      if (o->inputs.size() == 1 && is_attack_report(o->inputs[0])) {
        for (const auto& line : plot_attack_report(o->inputs[0], o->out)) std::printf("%s\n", line.c_str());
        return 0;
      }
      for (const auto& line : plot_results(o->inputs, o->out)) std::printf("%s\n", line.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
