#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "host/backend/memory_config.h"
#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/cli/settings_flags.h"
#include "host/energy/energy_model.h"  // traces issue
#include "host/report/text_report.h"
#include "host/runtime/honoured_options.h"
#include "host/runtime/run_job.h"
#include "host/runtime/topology_job.h"  // traces issue: --topology
#include "host/runtime/trace_notes.h"
#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/json_depth.h"
#include "sim/core/error.h"
#include "traces/vcd_to_saif.h"

namespace keymac::cli {

namespace {
std::pair<uint64_t, uint64_t> parse_window(const std::string& s) {
  auto c = s.find(':');
  try {
    if (c == std::string::npos || s.find_first_not_of("0123456789:") != std::string::npos) throw 0;
    size_t p1 = 0, p2 = 0;
    const uint64_t a = std::stoull(s.substr(0, c), &p1), b = std::stoull(s.substr(c + 1), &p2);
    if (p1 != c || p2 != s.size() - c - 1 || b < a) throw 0;
    return {a, b};
  } catch (...) {
    throw UsageError("--trace-window: '" + s + "' is not FROM:TO with FROM <= TO (cycles)");
  }
}
}  // namespace

void add_run(CLI::App& app, Runner& run) {
  struct Opts {
    RunConfig cfg;
    std::string array, json, window, mem_config;
    std::string topology, scalesim_config;  // traces issue: --topology
    uint64_t seed = 0, key_seed = 0;
  };
  auto o = std::make_shared<Opts>();
  RunConfig& cfg = o->cfg;
  auto* c = app.add_subcommand("run", "Evaluate a model on the keyed array: right key, wrong keys, plain array; latency and key cost");
  c->add_option("--model", cfg.model, "ONNX model or locked package (default: shipped Fashion-MNIST MLP)");
  c->add_option("--array", o->array, "array geometry RxC (default 16x16, or the package's)");
  c->add_option("--key", cfg.key_path, "key file (default: a fresh random key; required for a package)");
  c->add_option("--save-key", cfg.save_key_path, "save the fresh random key to this file");
  c->add_option("--key-mode", cfg.key_mode, "periodic|expanded (default: what --key holds, else periodic)");
  c->add_option("--wrong-key-distance", cfg.wrong_key_distance, "wrong keys differ from the right key in exactly this many bits (0: random keys; 1: key i flips bit (seed+i) mod bits)")->capture_default_str();
  auto* key_seed = c->add_option("--key-seed", o->key_seed, "no --key: draw the key from this seed (reproducible; recorded in sweeps)");
  c->add_option("--backend", cfg.backend, "functional, systemc or rtl")->capture_default_str();
  c->add_option("--limit", cfg.limit, "evaluate only the first N test images")->check(int_range(1, 1000000000));
  c->add_option("--batch", cfg.batch, "images per batch (the M of an MLP layer)")->capture_default_str()->check(int_range(1, 65536));
  c->add_option("--wrong-keys", cfg.wrong_keys, "number of random wrong keys")->capture_default_str()->check(int_range(0, 10000));
  auto* seed = c->add_option("--seed", o->seed, "seed of the wrong keys (default: from the OS; recorded in the report)")
                   ->check(int_range(0, INT64_MAX));
  c->add_option("--calib", cfg.calib, "training images used for int8 calibration")->capture_default_str()->check(int_range(1, 60000));
  c->add_option("--data-dir", cfg.data_dir, "Fashion-MNIST directory (gzip IDX)")->capture_default_str();
  c->add_option("--mean", cfg.preprocess.mean, "input normalisation mean (pixels in [0,1])")->capture_default_str()->check(real_range(-1e6, 1e6, true));
  c->add_option("--std", cfg.preprocess.std, "input normalisation std")->capture_default_str()->check(real_range(0, 1e6, false));
  c->add_option("--threads", cfg.threads, "evaluation threads (0: all cores)")->capture_default_str()->check(int_range(0, 1024));
  c->add_option("--json", o->json, "also write the report as JSON to this file");
  // --- issue 12: the report over any labelled dataset (docs/DATASETS.md)
  auto* ds = c->add_option("--dataset", cfg.dataset, "evaluate on this dataset instead of Fashion-MNIST's test set: idx:IMG,LBL | "
                           "cifar10:F[,F..] | cifar100:F[,F..] | npz:F[,X,Y] | npy:X,Y (--mean/--std then apply to every channel)");
  c->add_option("--calib-dataset", cfg.calib_dataset, "with --dataset and an ONNX model: calibrate on this dataset (default: --dataset)")->needs(ds);
  c->add_option("--scale", cfg.dataset_scale, "with --dataset: raw values are multiplied by this first (default 1/255 for bytes, 1 for floats)")
      ->needs(ds)->check(real_range(0, 1e6, false));
  c->add_option("--preprocess", cfg.dataset_preprocess_json, "with --dataset: JSON {\"scale\": s, \"mean\": [...], \"std\": [...]} (per channel); flags override it")->needs(ds);
  c->add_flag("!--no-progress", cfg.progress, "no progress bar");
  // Memory and run settings, one flag per entry of the settings registry
  // (host/backend/settings.h). Defaults < --mem-config JSON < explicit flags.
  const SettingFlags setting_flags = add_setting_flags(c);
  c->add_option("--mem-config", o->mem_config, "systemc: JSON memory configuration (docs/SYSTEMC.md); flags override it");
  c->add_option("--vcd", cfg.backend_options.trace.vcd_path, "systemc/rtl: write a waveform of the array boundary");
  c->add_option("--trace-window", o->window, "cycles FROM:TO to trace (default 0:10000)");
  // --- traces issue (docs/TRACES.md)
  c->add_flag("--energy", cfg.energy, "energy per inference, keyed vs plain (Horowitz 45 nm table)");
  c->add_option("--energy-table", cfg.energy_table, "YAML/JSON file overriding energy table entries");
  c->add_option("--accelergy-out", cfg.accelergy_out, "write Accelergy action counts (YAML) of one batch");
  c->add_option("--scalesim-trace", cfg.scalesim_dir, "write SCALE-Sim-format SRAM/DRAM traces of one batch to DIR (trace window)");
  c->add_flag("--scalesim-per-layer-cycles", cfg.scalesim_per_layer_cycles, "SCALE-Sim traces: number every layer's cycles from 0 (as SCALE-Sim)");
  c->add_option("--saif", cfg.saif_path, "write a SAIF of the right-key run (trace window): km_array boundary of one batch; rtl: the RTL hierarchy");
  c->add_option("--saif-names", cfg.backend_options.trace.saif_names,
                "rtl --saif: instance names nested, yosys-hier or yosys-flat (as Yosys names the netlist; docs/TRACES.md)")
      ->capture_default_str();
  c->add_option("--trace-limit-mb", cfg.trace_limit_mb, "refuse traces estimated above this size")->capture_default_str()->check(int_range(0, 1 << 24));
  c->add_flag("--force-trace", cfg.force_trace, "write traces even above --trace-limit-mb");
  c->add_flag("--trace-key", cfg.trace_key, "keep the key port and key register in --vcd/--saif (default: scrubbed; the trace then holds the key)");
  // --- traces issue: a SCALE-Sim topology / GEMM list instead of a model (docs/SCALESIM.md)
  auto* topo = c->add_option("--topology", o->topology,
                             "layer list instead of a model: SCALE-Sim conv or GEMM (M,N,K) topology CSV, or plain M,K,N lines");
  c->add_option("--config", o->scalesim_config, "with --topology: SCALE-Sim .cfg (array, offsets, SRAM sizes, bandwidth)")
      ->needs(topo);
  c->add_option("--accelergy-dir", cfg.accelergy_dir,
                "write Accelergy 0.4 inputs (architecture, components, action counts, ERT/ART) to DIR");
  for (const char* name : {"--model", "--key", "--save-key", "--limit", "--batch", "--wrong-keys", "--calib",
                           "--data-dir", "--mean", "--std", "--vcd", "--saif", "--finite-memory", "--mem-config",
                           "--accelergy-out", "--backend", "--dram-bw", "--dram-latency", "--wbuf-kib", "--ibuf-kib",
                           "--abuf-kib", "--key-seed"})
    topo->excludes(c->get_option(name));
  c->callback([o, seed, key_seed, setting_flags, c, &run] {
    // Options the backend cannot honour are refused before anything runs.
    std::vector<std::string> given;
    for (const char* f : {"--mem-config", "--vcd", "--saif", "--scalesim-trace", "--trace-window", "--saif-names",
                          "--trace-limit-mb", "--force-trace", "--save-key", "--key", "--key-seed"})
      if (c->get_option(f)->count()) given.push_back(f);
    const bool data_dir_given = c->get_option("--data-dir")->count() > 0;  // issue 12: --dataset
    const bool mean_given = c->get_option("--mean")->count() > 0, std_given = c->get_option("--std")->count() > 0;
    run = [o, seed, key_seed, setting_flags, given_other = given, data_dir_given, mean_given, std_given] {
      RunConfig cfg = o->cfg;
      if (!o->array.empty()) cfg.array = Geometry::parse(o->array);
      MemoryOptions m;
      if (!o->mem_config.empty()) {
        nlohmann::json j;
        try {
          const std::string text = read_file_capped(o->mem_config, "memory config", uint64_t(1) << 20);
          if (json_nesting_depth(text) > 64) throw Error(o->mem_config + ": JSON nested deeper than 64 levels");
          j = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
          throw Error(o->mem_config + ": not valid JSON (" + std::string(e.what()) + ")");
        }
        m = memory_options_from_json(j, o->mem_config);
      }
      cfg.backend_options.memory = m;
      std::vector<std::string> given =
          apply_setting_flags(setting_flags, settings_target(cfg.backend_options, cfg.clock_mhz));
      given.insert(given.end(), given_other.begin(), given_other.end());
      if (!o->topology.empty()) {
        TopologyConfig t;
        t.topology = o->topology;
        t.scalesim_config = o->scalesim_config;
        t.array = cfg.array;
        t.energy_table = cfg.energy_table;
        t.clock_mhz = cfg.clock_mhz;
        if (seed->count()) t.seed = o->seed;
        t.scalesim_dir = cfg.scalesim_dir;
        t.scalesim_per_layer_cycles = cfg.scalesim_per_layer_cycles;
        t.trace_limit_mb = cfg.trace_limit_mb;
        t.force_trace = cfg.force_trace;
        if (!o->window.empty()) std::tie(t.window_from, t.window_to) = parse_window(o->window);
        t.accelergy_dir = cfg.accelergy_dir;
        const auto report = run_topology(t);
        if (report.contains("scalesim_trace")) {  // traces issue: say what the SCALE-Sim traces cover
          const TraceNote n = scalesim_trace_note(report);
          std::fprintf(stderr, "%s\n", n.line.c_str());
          if (!n.warning.empty()) std::fprintf(stderr, "keymac: warning: %s\n", n.warning.c_str());
        }
        std::fputs(topology_text(report).c_str(), stdout);
        std::fflush(stdout);
        if (!o->json.empty()) write_file_atomic(o->json, report.dump(2) + "\n");
        return 0;
      }
      try {  // an option the backend cannot honour is a usage error (exit 2)
        check_honoured(cfg.backend, given, !cfg.backend_options.memory.ideal);
      } catch (const UsageError&) {
        throw;
      } catch (const Error& e) {
        throw UsageError(e.what());
      }
      traces::parse_saif_names(cfg.backend_options.trace.saif_names);  // a bad value fails before the run
      if (seed->count()) cfg.seed = o->seed;
      if (!cfg.dataset.empty()) {  // issue 12: --mean/--std given with --dataset hold for every channel
        if (data_dir_given) throw UsageError("--data-dir: Fashion-MNIST's directory; with --dataset it is not used");
        if (mean_given) cfg.dataset_mean = {static_cast<double>(cfg.preprocess.mean)};
        if (std_given) cfg.dataset_std = {static_cast<double>(cfg.preprocess.std)};
      }
      if (key_seed->count()) {
        if (!cfg.key_path.empty()) throw Error("--key-seed: a --key file is given too; use one of them");
        cfg.key_seed = o->key_seed;
      }
      if (!o->window.empty()) {
        auto [a, b] = parse_window(o->window);
        cfg.backend_options.trace.window_from = a;
        cfg.backend_options.trace.window_to = b;
      }
      if (cfg.backend == "functional" && !cfg.backend_options.trace.vcd_path.empty())
        throw UsageError("--vcd: the functional backend has no cycles to trace; use --backend systemc or rtl");
      cfg.backend_options.trace.trace_key = cfg.trace_key;
      if (cfg.trace_key && (!cfg.backend_options.trace.vcd_path.empty() || !cfg.saif_path.empty()))
        std::fprintf(stderr, "keymac: warning: --trace-key: the VCD/SAIF will hold the key; treat it like the key file\n");
      const auto report = run_job(cfg, &g_stop);
      bool empty_trace = false;  // traces issue: say what each trace covers; no empty trace files
      for (const auto& n : trace_notes(cfg, report)) {
        if (n.empty) {
          struct stat st {};  // remove only an empty regular file (never /dev/null or a FIFO)
          if (::lstat(n.path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) std::remove(n.path.c_str());
          empty_trace = true;
          std::fprintf(stderr, "keymac: %s\n", n.line.c_str());
          continue;
        }
        std::fprintf(stderr, "%s\n", n.line.c_str());
        if (!n.warning.empty()) std::fprintf(stderr, "keymac: warning: %s\n", n.warning.c_str());
      }
      if (report.contains("dataset_classes")) {  // issue 12: at chance usually means the wrong preprocessing
        const double classes = report["dataset_classes"].get<double>();
        if (report["accuracy"]["float"].is_number() && report["accuracy"]["float"].get<double>() < 150.0 / classes)
          std::fprintf(stderr, "keymac: warning: float accuracy %.2f %% on --dataset is at chance (1/%.0f): check --mean/--std/--scale and the label order\n",
                       report["accuracy"]["float"].get<double>(), classes);
      }
      std::fputs(text_report(report).c_str(), stdout);
      if (report.contains("energy")) std::fputs(energy_text(report["energy"]).c_str(), stdout);  // traces issue
      std::fflush(stdout);
      if (!o->json.empty()) write_file_atomic(o->json, report.dump(2) + "\n");
      if (empty_trace) return 1;
      return report["complete"].get<bool>() ? 0 : 130;
    };
  });
}

}  // namespace keymac::cli
