#include <cstdio>
#include <memory>

#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/data/idx_dataset.h"
#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "sim/core/error.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac::cli {

void add_lock(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model, array, key, out, data_dir = kDefaultDataDir, key_mode, nonce;
    int64_t calib = 1000;
    float mean = 0.0f, std = 1.0f;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("lock", "Quantize an ONNX model to int8 and lock it to a key: writes a locked-model package");
  c->add_option("--model", o->model, "ONNX model (as exported by PyTorch)")->required();
  c->add_option("--array", o->array, "array geometry RxC (must match the key)")->required();
  c->add_option("--key", o->key, "key file from 'keymac keygen'")->required();
  c->add_option("--out", o->out, "package to write")->required();
  c->add_option("--calib", o->calib, "training images used to calibrate activation scales")->capture_default_str()->check(int_range(1, 60000));
  c->add_option("--data-dir", o->data_dir, "Fashion-MNIST directory (gzip IDX)")->capture_default_str();
  c->add_option("--mean", o->mean, "input normalisation mean (pixels in [0,1])")->capture_default_str()->check(real_range(-1e6, 1e6, true));
  c->add_option("--std", o->std, "input normalisation std")->capture_default_str()->check(real_range(0, 1e6, false));
  c->add_option("--key-mode", o->key_mode, "periodic|expanded (default: what the key file holds)");
  c->add_option("--nonce", o->nonce, "expanded keys: the package's public IV nonce, 16 hex digits (default: fresh random)");
  c->callback([o, &run] {
    run = [o] {
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
      if (!(o->std > 0)) throw Error("--std: must be positive");
      // Ctrl-C (g_stop) is honoured between the steps: no package is written.
      auto interrupted = [] {
        if (!g_stop.load()) return false;
        std::fprintf(stderr, "keymac: lock: interrupted; no package written\n");
        return true;
      };
      const Graph graph = import_onnx(o->model);
      if (interrupted()) return 130;
      const Preprocess pre{o->mean, o->std};
      const QuantModel q = quantize_on_training_set(graph, o->data_dir, o->calib, pre);
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
