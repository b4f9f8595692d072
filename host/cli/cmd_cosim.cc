#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <random>

#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/backend/backend_options.h"
#include "host/cosim/cosim_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"

namespace keymac::cli {

namespace {
std::optional<KeyFault> parse_fault(const std::string& s) {
  if (s.empty()) return std::nullopt;
  KeyFault f;
  char comma = 0;
  if (std::sscanf(s.c_str(), "%d%c%d", &f.row, &comma, &f.col) != 3 || comma != ',')
    throw Error("--inject-key-fault: '" + s + "' is not ROW,COL");
  return f;
}
}  // namespace

void add_cosim(CLI::App& app, Runner& run) {
  struct Opts {
    std::string array = "16x16", model, wave, fault, data_dir = kDefaultDataDir, key_mode = "periodic";
    bool plain = false;
    int layers = 5, max_dim = 40;
    int64_t limit = 16;
    uint64_t seed = 1;
    double clock_mhz = 1000;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("cosim", "Co-simulate the SystemC model and the verilated RTL in lock-step, comparing the array boundary every cycle");
  c->add_option("--array", o->array, "array geometry RxC (a verilated one)")->capture_default_str();
  c->add_flag("--plain", o->plain, "co-simulate the plain (Keyed = 0) array");
  c->add_option("--layers", o->layers, "random layers to run (without --model)")->capture_default_str()->check(int_range(1, 100000));
  c->add_option("--max-dim", o->max_dim, "largest random M, K, N")->capture_default_str()->check(int_range(1, 4096));
  c->add_option("--seed", o->seed, "seed of the random layers, operands and key")->capture_default_str()->check(int_range(0, INT64_MAX));
  c->add_option("--model", o->model, "run this ONNX model's layers instead (first --limit test images)");
  c->add_option("--limit", o->limit, "test images with --model")->capture_default_str()->check(int_range(1, 10000));
  c->add_option("--data-dir", o->data_dir, "Fashion-MNIST directory")->capture_default_str();
  c->add_option("--wave", o->wave, "on a mismatch, write a VCD of the RTL around it");
  c->add_option("--clock-mhz", o->clock_mhz, "clock of the --wave VCD: cycle t is at t x period (ps)")->capture_default_str();
  c->add_option("--inject-key-fault", o->fault, "ROW,COL: flip that key bit in the RTL only (the checker must catch it)");
  c->add_option("--key-mode", o->key_mode,
                "periodic|expanded: expanded co-simulates the KeyMode = 1 array (80-bit master key from --seed, "
                "per-layer cipher warm-up; --inject-key-fault then inverts PE ROW,COL's stored key bits)")
      ->capture_default_str();
  c->callback([o, &run] {
    run = [o] {
      const Geometry g = Geometry::parse(o->array);
      if (o->layers < 1 || o->max_dim < 1 || o->limit < 1) throw Error("--layers, --max-dim and --limit must be positive");
      const bool expanded = parse_key_mode(o->key_mode) == KeyMode::kExpanded;
      if (expanded && o->plain) throw UsageError("--plain and --key-mode expanded: a plain array has no key");
      CosimBackend be(g, o->wave, parse_fault(o->fault), trace_period_ps(o->clock_mhz));
      const Key key = Key::seeded_random(g, o->seed);
      std::unique_ptr<KeySource> src;
      if (expanded) src = std::make_unique<ExpandedKeySource>(g, MasterKey::seeded_random(o->seed), o->seed * 0x9e3779b97f4a7c15ULL + 1);
      else src = std::make_unique<SerialKeySource>(key);
      be.reset(o->plain ? nullptr : src.get());
      if (!o->model.empty()) {
        const Graph graph = import_onnx(o->model);
        const QuantModel q = quantize_on_training_set(graph, o->data_dir, 500, Preprocess{});
        const QuantModel m = o->plain ? q : lock_model(q, *src);
        const ImageSet test = load_idx(o->data_dir, "t10k", o->limit);
        std::vector<LayerRun> runs;
        Int8Runner(m, be).run(test.pixels.data(), test.count, &runs);
        for (const auto& r : runs)
          std::printf("  %-24s M=%-6lld K=%-5lld N=%-5lld %8llu cycles identical\n", r.name.c_str(), static_cast<long long>(r.shape.m),
                      static_cast<long long>(r.shape.k), static_cast<long long>(r.shape.n), static_cast<unsigned long long>(r.stats.cycles));
      } else {
        std::mt19937_64 rng(o->seed);
        std::uniform_int_distribution<int> dim(1, o->max_dim), w8(-127, 127), a8(-128, 127);
        for (int l = 0; l < o->layers; ++l) {
          GemmShape s{dim(rng), dim(rng), dim(rng)};
          std::vector<int8_t> x(static_cast<size_t>(s.m * s.k)), w(static_cast<size_t>(s.k * s.n));
          for (auto& v : x) v = static_cast<int8_t>(a8(rng));
          for (auto& v : w) v = static_cast<int8_t>(w8(rng));
          std::vector<int32_t> y(static_cast<size_t>(s.m * s.n)), ref(y.size());
          const LayerStats st = be.run_gemm(GemmJob{"random", s, x.data(), w.data(), l}, y.data());
          keyed_gemm(x.data(), w.data(), s, g, o->plain ? nullptr : src.get(), l, ref.data());
          if (y != ref) throw Error(fmt::format("layer {}: co-simulated result differs from the functional model", l));
          std::printf("  layer %-3d M=%-4lld K=%-4lld N=%-4lld %8llu cycles identical\n", l, static_cast<long long>(s.m),
                      static_cast<long long>(s.k), static_cast<long long>(s.n), static_cast<unsigned long long>(st.cycles));
        }
      }
      std::printf("co-simulation of the %s %s array: model and RTL identical at the array boundary in all %llu cycles\n",
                  o->plain ? "plain" : expanded ? "expanded-key" : "keyed", g.str().c_str(), static_cast<unsigned long long>(be.cycles_compared()));
      return 0;
    };
  });
}

}  // namespace keymac::cli
