#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/synth/synth_runner.h"
#include "sim/core/atomic_file.h"
#include "sim/core/geometry.h"

namespace keymac::cli {

void add_synth(CLI::App& app, Runner& run) {
  struct Opts { std::string array, json, work; };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("synth", "Synthesize the keyed and the plain array with Yosys: cells, flip-flops, area proxy, key overhead");
  c->add_option("--array", o->array, "array geometry RxC")->required();
  c->add_option("--json", o->json, "write the summary as JSON");
  c->add_option("--work-dir", o->work, "where Yosys scripts and logs go (default: the cache)");
  c->callback([o, &run] {
    run = [o] {
      const Geometry g = Geometry::parse(o->array);
      const auto r = synthesize(g, o->work);
      std::printf("Yosys synthesis of the %s array (%s)\n", g.str().c_str(), r["tool"].get<std::string>().c_str());
      std::printf("                    %12s %12s %10s\n", "keyed", "plain", "overhead");
      std::printf("  cells             %12lld %12lld %9.3f%%\n", r["cells"]["keyed"].get<long long>(), r["cells"]["plain"].get<long long>(),
                  100.0 * (r["cells"]["keyed"].get<double>() - r["cells"]["plain"].get<double>()) / r["cells"]["plain"].get<double>());
      std::printf("  flip-flops        %12lld %12lld %10lld\n", r["flops"]["keyed"].get<long long>(), r["flops"]["plain"].get<long long>(),
                  r["flops"]["extra"].get<long long>());
      std::printf("  area proxy        %12.0f %12.0f %9.3f%%\n", r["area"]["keyed"].get<double>(), r["area"]["plain"].get<double>(),
                  r["area"]["overhead_pct"].get<double>());
      std::printf("  key bits          %12d %12d\n  (area unit: %s; cached in %s)\n", g.pes(), 0,
                  r["area"]["unit"].get<std::string>().c_str(), (synth_cache_dir() + "/synth").c_str());
      if (!o->json.empty()) write_file_atomic(o->json, r.dump(2) + "\n");
      return 0;
    };
  });
}

}  // namespace keymac::cli
