// `keymac run`: import (or read a locked package), quantize, lock, evaluate on
// the chosen backend with the right key, wrong keys and a plain array, and
// build the report. Parameters are declared here once, with their defaults.
#pragma once
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/backend/backend_options.h"
#include "host/model/graph.h"
#include "sim/core/geometry.h"

namespace keymac {

std::string default_model_path();  // the shipped Fashion-MNIST MLP

struct RunConfig {
  std::string model;                         // .onnx or locked package
  std::optional<Geometry> array;             // default 16x16 (or the package's)
  std::string key_path;                      // empty: fresh secure random key
  std::string save_key_path;                 // where to save a fresh key
  // --- key expansion (ARCHITECTURE.md section 11)
  std::string key_mode;                      // periodic|expanded; empty: the key file's (default periodic)
  int wrong_key_distance = 0;                // >0: wrong keys differ from the right key in exactly this many bits
  std::optional<uint64_t> key_seed;          // no key file: the key drawn from this seed (reproducible)
  std::string backend = "functional";
  BackendOptions backend_options;
  int64_t limit = -1;                        // test images; -1: all 10,000
  int64_t batch = 256;                       // images per inference batch (M of an MLP layer)
  int wrong_keys = 10;
  std::optional<uint64_t> seed;              // wrong-key seed; default: from the OS
  double clock_mhz = setting_default::clock_mhz;  // settings registry (host/backend/settings.h)
  int64_t calib = 1000;                      // training images for calibration
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  Preprocess preprocess;                     // mean/std normalisation (default ToTensor)
  int threads = 0;                           // 0: all cores
  bool progress = true;                      // progress bar on a terminal
  // --- traces issue: energy, Accelergy action counts, SCALE-Sim traces (docs/TRACES.md)
  bool energy = false;                       // add "energy" (keyed vs plain, per inference)
  std::string energy_table;                  // YAML/JSON overriding the Horowitz 45 nm defaults
  std::string accelergy_out;                 // Accelergy action counts YAML (implies energy)
  std::string accelergy_dir;                 // Accelergy 0.4 inputs: arch, components, counts, tables (implies energy)
  std::string scalesim_dir;                  // SCALE-Sim-format traces of one batch (trace window)
  bool scalesim_per_layer_cycles = false;    // SCALE-Sim traces: every layer's cycles from 0
  std::string saif_path;                     // SAIF of the right-key run (trace window): the array
                                             // boundary of one batch; with backend rtl the RTL hierarchy
  uint64_t trace_limit_mb = 100;             // refuse larger traces ...
  bool force_trace = false;                  // ... unless forced
  bool trace_key = false;                    // keep the key port / register in VCD and SAIF (--trace-key)
  // --- issue 12: the report over any labelled dataset (docs/DATASETS.md) instead of Fashion-MNIST
  std::string dataset;                       // FORMAT:PATHS (host/data/dataset.h); empty: Fashion-MNIST t10k
  std::string calib_dataset;                 // ONNX: calibrate on its first `calib` samples (default: `dataset`)
  std::string dataset_preprocess_json;       // --preprocess {"scale", "mean", "std"}
  std::optional<double> dataset_scale;       // --scale (default 1/255 for byte data, 1 for floats)
  std::vector<double> dataset_mean, dataset_std;  // --mean/--std given with --dataset (one value: every channel)
};

// Runs the job; `stop` makes it finish early with "complete": false.
nlohmann::json run_job(const RunConfig& cfg, const std::atomic<bool>* stop);

}  // namespace keymac
