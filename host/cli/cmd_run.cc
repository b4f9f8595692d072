#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "host/backend/memory_config.h"
#include "host/cli/commands.h"
#include "host/energy/energy_model.h"  // traces issue
#include "host/report/text_report.h"
#include "host/runtime/run_job.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac::cli {

namespace {
std::pair<uint64_t, uint64_t> parse_window(const std::string& s) {
  auto c = s.find(':');
  try {
    if (c == std::string::npos) throw 0;
    size_t p1 = 0, p2 = 0;
    const uint64_t a = std::stoull(s.substr(0, c), &p1), b = std::stoull(s.substr(c + 1), &p2);
    if (p1 != c || p2 != s.size() - c - 1 || b < a) throw 0;
    return {a, b};
  } catch (...) {
    throw Error("--trace-window: '" + s + "' is not FROM:TO with FROM <= TO (cycles)");
  }
}
}  // namespace

void add_run(CLI::App& app, Runner& run) {
  struct Opts {
    RunConfig cfg;
    std::string array, json, window, mem_config;
    uint64_t seed = 0;
  };
  auto o = std::make_shared<Opts>();
  RunConfig& cfg = o->cfg;
  auto* c = app.add_subcommand("run", "Evaluate a model on the keyed array: right key, wrong keys, plain array; latency and key cost");
  c->add_option("--model", cfg.model, "ONNX model or locked package (default: shipped Fashion-MNIST MLP)");
  c->add_option("--array", o->array, "array geometry RxC (default 16x16, or the package's)");
  c->add_option("--key", cfg.key_path, "key file (default: a fresh random key; required for a package)");
  c->add_option("--save-key", cfg.save_key_path, "save the fresh random key to this file");
  c->add_option("--backend", cfg.backend, "functional, systemc or rtl")->capture_default_str();
  c->add_option("--limit", cfg.limit, "evaluate only the first N test images");
  c->add_option("--batch", cfg.batch, "images per batch (the M of an MLP layer)")->capture_default_str();
  c->add_option("--wrong-keys", cfg.wrong_keys, "number of random wrong keys")->capture_default_str();
  auto* seed = c->add_option("--seed", o->seed, "seed of the wrong keys (default: from the OS; recorded in the report)");
  c->add_option("--clock-mhz", cfg.clock_mhz, "clock for latency in time")->capture_default_str();
  c->add_option("--calib", cfg.calib, "training images used for int8 calibration")->capture_default_str();
  c->add_option("--data-dir", cfg.data_dir, "Fashion-MNIST directory (gzip IDX)")->capture_default_str();
  c->add_option("--mean", cfg.preprocess.mean, "input normalisation mean (pixels in [0,1])")->capture_default_str();
  c->add_option("--std", cfg.preprocess.std, "input normalisation std")->capture_default_str();
  c->add_option("--threads", cfg.threads, "evaluation threads (0: all cores)")->capture_default_str();
  c->add_option("--json", o->json, "also write the report as JSON to this file");
  c->add_flag("!--no-progress", cfg.progress, "no progress bar");
  // Memory: defaults (backend_options.h) < --mem-config JSON < explicit flags.
  auto mem = std::make_shared<MemoryOptions>();
  std::vector<std::pair<CLI::Option*, std::function<void(MemoryOptions&)>>> mem_flags;
  auto* fin = c->add_flag("--finite-memory", "systemc: model SRAMs and DRAM with stalls (default: ideal memory)");
  mem_flags.push_back({fin, [](MemoryOptions& m) { m.ideal = false; }});
  auto mem_opt = [&](const char* name, auto MemoryOptions::*field, const char* help) {
    auto* opt = c->add_option(name, mem.get()->*field, help)->capture_default_str();
    mem_flags.push_back({opt, [mem, field](MemoryOptions& m) { m.*field = mem.get()->*field; }});
  };
  mem_opt("--dram-bw", &MemoryOptions::dram_bytes_per_cycle, "systemc: DRAM bytes per cycle");
  mem_opt("--dram-latency", &MemoryOptions::dram_latency_cycles, "systemc: DRAM latency in cycles");
  mem_opt("--wbuf-kib", &MemoryOptions::weight_sram_kib, "systemc: weight SRAM KiB");
  mem_opt("--ibuf-kib", &MemoryOptions::input_sram_kib, "systemc: input SRAM KiB");
  mem_opt("--abuf-kib", &MemoryOptions::accum_sram_kib, "systemc: accumulator SRAM KiB");
  c->add_option("--timing", cfg.backend_options.timing, "systemc: fold (fold-level, fast) or cycle (memory system and register-level array stepped every cycle)")
      ->check(CLI::IsMember({"fold", "cycle"}))->capture_default_str();
  c->add_option("--mem-config", o->mem_config, "systemc: JSON memory configuration (docs/SYSTEMC.md); flags override it");
  c->add_option("--vcd", cfg.backend_options.trace.vcd_path, "systemc/rtl: write a waveform of the array boundary");
  c->add_option("--trace-window", o->window, "cycles FROM:TO to trace (default 0:10000)");
  // --- traces issue (docs/TRACES.md)
  c->add_flag("--energy", cfg.energy, "energy per inference, keyed vs plain (Horowitz 45 nm table)");
  c->add_option("--energy-table", cfg.energy_table, "YAML/JSON file overriding energy table entries");
  c->add_option("--accelergy-out", cfg.accelergy_out, "write Accelergy action counts (YAML) of one batch");
  c->add_option("--scalesim-trace", cfg.scalesim_dir, "write SCALE-Sim-format SRAM/DRAM traces of one batch to DIR (trace window)");
  c->add_option("--saif", cfg.saif_path, "write a SAIF of the right-key run (trace window): km_array boundary of one batch; rtl: the RTL hierarchy");
  c->add_option("--trace-limit-mb", cfg.trace_limit_mb, "refuse traces estimated above this size")->capture_default_str();
  c->add_flag("--force-trace", cfg.force_trace, "write traces even above --trace-limit-mb");
  c->callback([o, seed, mem_flags, &run] {
    run = [o, seed, mem_flags] {
      RunConfig cfg = o->cfg;
      if (!o->array.empty()) cfg.array = Geometry::parse(o->array);
      MemoryOptions m;
      if (!o->mem_config.empty()) {
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(read_text_file(o->mem_config, "memory config"));
        } catch (const nlohmann::json::parse_error& e) {
          throw Error(o->mem_config + ": not valid JSON (" + std::string(e.what()) + ")");
        }
        m = memory_options_from_json(j, o->mem_config);
      }
      for (const auto& [opt, apply] : mem_flags)
        if (opt->count()) apply(m);
      cfg.backend_options.memory = m;
      if (seed->count()) cfg.seed = o->seed;
      if (!o->window.empty()) {
        auto [a, b] = parse_window(o->window);
        cfg.backend_options.trace.window_from = a;
        cfg.backend_options.trace.window_to = b;
      }
      const auto report = run_job(cfg, &g_stop);
      std::fputs(text_report(report).c_str(), stdout);
      if (report.contains("energy")) std::fputs(energy_text(report["energy"]).c_str(), stdout);  // traces issue
      std::fflush(stdout);
      if (!o->json.empty()) write_file_atomic(o->json, report.dump(2) + "\n");
      return report["complete"].get<bool>() ? 0 : 130;
    };
  });
}

}  // namespace keymac::cli
