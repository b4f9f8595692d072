#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/synth/synth_runner.h"
#include "sim/core/atomic_file.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac::cli {

void add_synth(CLI::App& app, Runner& run) {
  struct Opts { std::string array, json, work, key_mode = "periodic", flow = "flat"; };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("synth", "Synthesize the keyed and the plain array with Yosys: cells, flip-flops, area proxy, key overhead");
  c->add_option("--array", o->array, "array geometry RxC")->required();
  c->add_option("--json", o->json, "write the summary as JSON");
  c->add_option("--work-dir", o->work, "where Yosys scripts and logs go (default: the cache)");
  c->add_option("--key-mode", o->key_mode, "periodic|expanded: expanded also synthesizes the Trivium key unit (rtl/km_keyexp.sv, C rounds per cycle) and the whole expanded-key array")->capture_default_str();
  c->add_option("--flow", o->flow, "flat|hier: flat = synth -flatten (ABC across PE boundaries; 16x16 takes minutes, 32x32 does not finish in practical time); hier = hierarchy kept, each module synthesized once and summed (seconds to minutes up to 32x32; the key unit's own share read from its block)")->capture_default_str();
  c->callback([o, &run] {
    run = [o] {
      const Geometry g = Geometry::parse(o->array);
      const bool expanded = parse_key_mode(o->key_mode) == KeyMode::kExpanded;
      const SynthFlow flow = parse_synth_flow(o->flow);
      auto r = synthesize(g, o->work, flow);
      if (expanded) {
        r["expanded"] = synthesize_keyexp(g, o->work);
        r["expanded_array"] = synthesize_expanded_array(g, o->work, flow);
        auto& xa = r["expanded_array"];
        // The cipher's share of the expanded array: its own block when the
        // hierarchy is kept, else the unit synthesized alone (same module).
        const auto& unit = xa.contains("key_unit") ? xa["key_unit"] : r["expanded"];
        xa["cipher_share_pct"] = 100.0 * unit["area_proxy"].get<double>() / xa["area_proxy"].get<double>();
        xa["flops_extra"] = xa["flops"].get<int64_t>() - r["flops"]["plain"].get<int64_t>();
        xa["overhead_pct"] = 100.0 * (xa["area_proxy"].get<double>() - r["area"]["plain"].get<double>()) / r["area"]["plain"].get<double>();
        store_synthesis(g, r);  // `keymac run --key-mode expanded` reports this overhead
      }
      std::printf("Yosys synthesis of the %s array (%s, %s flow)\n", g.str().c_str(), r["tool"].get<std::string>().c_str(), synth_flow_name(flow));
      std::printf("                    %12s %12s %10s\n", "keyed", "plain", "overhead");
      std::printf("  cells             %12lld %12lld %9.3f%%\n", r["cells"]["keyed"].get<long long>(), r["cells"]["plain"].get<long long>(),
                  100.0 * (r["cells"]["keyed"].get<double>() - r["cells"]["plain"].get<double>()) / r["cells"]["plain"].get<double>());
      std::printf("  flip-flops        %12lld %12lld %10lld\n", r["flops"]["keyed"].get<long long>(), r["flops"]["plain"].get<long long>(),
                  r["flops"]["extra"].get<long long>());
      std::printf("  area proxy        %12.0f %12.0f %9.3f%%\n", r["area"]["keyed"].get<double>(), r["area"]["plain"].get<double>(),
                  r["area"]["overhead_pct"].get<double>());
      std::printf("  key bits          %12d %12d\n  (area unit: %s; cached in %s)\n", g.pes(), 0,
                  r["area"]["unit"].get<std::string>().c_str(), (synth_cache_dir() + "/synth").c_str());
      if (expanded) {
        const auto& e = r["expanded"];
        std::printf("Expanded key (ARCHITECTURE.md 11): Trivium unit km_keyexp, %d rounds per cycle\n", g.cols);
        std::printf("  cells %lld, flip-flops %lld, area proxy %.0f (%.3f%% of the plain array)\n", e["cells"].get<long long>(),
                    e["flops"].get<long long>(), e["area_proxy"].get<double>(),
                    100.0 * e["area_proxy"].get<double>() / r["area"]["plain"].get<double>());
        const auto& xa = r["expanded_array"];
        std::printf("Expanded-key array (KeyMode = 1: the unit, %lld per-PE key bits beside the weight banks, their skew)\n",
                    e["per_pe_key_bits"].get<long long>());
        std::printf("  cells %lld, flip-flops %lld (%lld more than plain; ARCHITECTURE.md 11.6 counts %lld), area proxy %.0f (%.3f%% over plain)\n",
                    xa["cells"].get<long long>(), xa["flops"].get<long long>(), xa["flops_extra"].get<long long>(),
                    xa["storage_bits_spec"].get<long long>(), xa["area_proxy"].get<double>(), xa["overhead_pct"].get<double>());
        std::printf("  the Trivium unit is %.3f%% of the expanded array's area proxy (%s)\n", xa["cipher_share_pct"].get<double>(),
                    xa.contains("key_unit") ? "its km_keyexp block in this synthesis" : "the unit synthesized alone");
      }
      if (!o->json.empty()) write_file_atomic(o->json, r.dump(2) + "\n");
      return 0;
    };
  });
}

}  // namespace keymac::cli
