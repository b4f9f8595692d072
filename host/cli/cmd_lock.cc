#include <cmath>
#include <cstdio>
#include <optional>
#include <memory>

#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/data/idx_dataset.h"
#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/infer_job.h"  // issue 12: quantize_on_dataset
#include "host/data/dataset.h"
#include "sim/core/error.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac::cli {

void add_lock(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model, array, key, out, data_dir = kDefaultDataDir, key_mode, nonce;
    int64_t calib = 1000;
    std::string mean = "0", std = "1";
    std::string dataset, preprocess_json;  // issue 12: calibrate on any dataset (docs/DATASETS.md)
    std::optional<double> scale;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("lock", "Quantize an ONNX model to int8 and lock it to a key: writes a locked-model package");
  c->add_option("--model", o->model, "ONNX model (as exported by PyTorch)")->required();
  c->add_option("--array", o->array, "array geometry RxC (must match the key)")->required();
  c->add_option("--key", o->key, "key file from 'keymac keygen'")->required();
  c->add_option("--out", o->out, "package to write")->required();
  c->add_option("--calib", o->calib, "training images used to calibrate activation scales")->capture_default_str()->check(int_range(1, 60000));
  c->add_option("--data-dir", o->data_dir, "Fashion-MNIST directory (gzip IDX)")->capture_default_str();
  c->add_option("--mean", o->mean, "input normalisation mean (pixels in [0,1]); with --dataset one or one per channel")->capture_default_str();
  c->add_option("--std", o->std, "input normalisation std; with --dataset one or one per channel")->capture_default_str();
  auto* ds = c->add_option("--dataset", o->dataset, "calibrate on this dataset instead of Fashion-MNIST (FORMAT:PATHS, docs/DATASETS.md); "
                                                    "its preprocessing is recorded in the package");
  c->add_option("--scale", o->scale, "with --dataset: raw values are multiplied by this first (default 1/255 for bytes)")->needs(ds);
  c->add_option("--preprocess", o->preprocess_json, "with --dataset: JSON {\"scale\", \"mean\", \"std\"}; flags override it")->needs(ds);
  ds->excludes(c->get_option("--data-dir"));
  c->add_option("--key-mode", o->key_mode, "periodic|expanded (default: what the key file holds)");
  c->add_option("--nonce", o->nonce, "expanded keys: the package's public IV nonce, 16 hex digits (default: fresh random)");
  c->callback([o, c, &run] {
    const bool c_mean_given = c->get_option("--mean")->count() > 0, c_std_given = c->get_option("--std")->count() > 0;
    run = [o, c_mean_given, c_std_given] {
      const Geometry g = Geometry::parse(o->array);
      const KeyFile kf = read_key_file(o->key, o->key_mode.empty() ? std::nullopt : std::optional<KeyMode>(parse_key_mode(o->key_mode)));
      if (!o->nonce.empty() && kf.mode != KeyMode::kExpanded) throw Error("--nonce: only expanded keys have a nonce");
      uint64_t nonce = 0;
      if (kf.mode == KeyMode::kExpanded) {
        if (o->nonce.empty()) nonce = fresh_nonce();
        else if (o->nonce.size() != 16 || o->nonce.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
          throw Error("--nonce: must be 16 hex digits");
        else nonce = std::stoull(o->nonce, nullptr, 16);
      }
      const auto key = make_key_source(kf, g, nonce);
      if (o->calib < 1 || o->calib > 60000) throw Error("--calib: must be 1..60000");
      // Ctrl-C (g_stop) is honoured between the steps: no package is written.
      auto interrupted = [] {
        if (!g_stop.load()) return false;
        std::fprintf(stderr, "keymac: lock: interrupted; no package written\n");
        return true;
      };
      const Graph graph = import_onnx(o->model);
      if (interrupted()) return 130;
      const auto mean = parse_number_list(o->mean, "--mean"), std = parse_number_list(o->std, "--std");
      QuantModel q;
      if (o->dataset.empty()) {
        if (mean.size() != 1 || std.size() != 1) throw UsageError("--mean/--std: one value each without --dataset");
        if (!(std::fabs(mean[0]) <= 1e6)) throw UsageError("--mean: must be -1e6..1e6");
        if (!(std[0] > 0 && std[0] <= 1e6)) throw UsageError("--std: must be positive (at most 1e6)");
        const Preprocess pre{static_cast<float>(mean[0]), static_cast<float>(std[0])};
        q = quantize_on_training_set(graph, o->data_dir, o->calib, pre);
      } else {
        q = quantize_on_dataset(graph, o->dataset, o->calib, o->preprocess_json, o->scale,
                                c_mean_given ? mean : std::vector<double>{}, c_std_given ? std : std::vector<double>{});
      }
      if (interrupted()) return 130;
      const auto locked = lock_model(q, *key);
      if (interrupted()) return 130;
      write_package(o->out, locked);
      std::printf("locked %s (%lld weights in %lld GEMM layers) for a %s array, %s key: %s\n", o->model.c_str(),
                  static_cast<long long>(q.weight_count()), static_cast<long long>(q.gemm_layers()), g.str().c_str(),
                  key_mode_name(kf.mode), o->out.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
