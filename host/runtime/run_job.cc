#include "host/runtime/run_job.h"

#include <sys/random.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <random>
#include <limits>
#include <thread>

#include "base/thread_pool.h"
#include "host/backend/array_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/dataset_run.h"  // issue 12: keymac run --dataset
#include "host/runtime/evaluator.h"
#include "host/runtime/progress.h"
#include "host/runtime/run_traces.h"
#include "host/security/oracle.h"
#include "host/synth/synth_runner.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/key_storage.h"
#include "sim/core/schedule.h"
#include "sim/core/atomic_file.h"

#ifndef KEYMAC_SOURCE_DIR
#define KEYMAC_SOURCE_DIR "."
#endif

namespace keymac {

std::string default_model_path() { return std::string(KEYMAC_SOURCE_DIR) + "/models/fmnist_mlp.onnx"; }

namespace {

// The float model's top-1 accuracy, batches of 256 shared out to `threads`
// threads (each image's score is computed the same way on any thread, so the
// count is the same for any thread count). `done`: images evaluated.
double float_accuracy(const Graph& g, const ImageSet& test, const Preprocess& p, const std::atomic<bool>* stop,
                      int threads, int64_t& done) {
  const int64_t chunk = 256, classes = g.num_outputs();
  std::atomic<int64_t> next{0}, correct{0}, finished{0};
  std::atomic<bool> failed{false};
  std::exception_ptr err;
  std::mutex mu;
  run_on_threads(threads, [&] {
    for (;;) {
      if ((stop && stop->load()) || failed.load()) return;
      const int64_t s = chunk * next++;
      if (s >= test.count) return;
      const int64_t b = std::min(chunk, test.count - s);
      const auto x = test.preprocessed() ? std::vector<float>(test.input(s), test.input(s + b))  // issue 12: --dataset
                                         : preprocess_pixels(test.image(s), static_cast<size_t>(b * test.rows * test.cols), p);
      std::vector<float> scores;
      try {
        scores = run_float(g, x.data(), b);
      } catch (...) {
        std::lock_guard<std::mutex> l(mu);
        if (!failed.exchange(true)) err = std::current_exception();
        return;
      }
      int64_t c = 0;
      for (int64_t i = 0; i < b; ++i) c += argmax(scores.data() + i * classes, classes) == test.labels[static_cast<size_t>(s + i)];
      correct += c;
      finished += b;
    }
  });
  if (err) std::rethrow_exception(err);
  done = finished.load();
  return done ? 100.0 * static_cast<double>(correct.load()) / static_cast<double>(done) : 0.0;
}

uint64_t os_seed() {
  uint64_t s = 0;
  if (getrandom(&s, sizeof s, 0) != sizeof s) throw Error("getrandom failed");
  return s;
}

nlohmann::json layer_json(const LayerRun& keyed, const LayerRun& plain, Geometry g) {
  Schedule s(keyed.shape, g);
  return {{"name", keyed.name},
          {"M", keyed.shape.m}, {"K", keyed.shape.k}, {"N", keyed.shape.n},
          {"folds", s.folds()}, {"macs", keyed.shape.macs()},
          {"ideal_cycles", s.ideal_cycles()},
          {"cycles", keyed.stats.cycles}, {"cycles_plain", plain.stats.cycles},
          {"stall_cycles", keyed.stats.stall_cycles},
          {"utilisation", static_cast<double>(keyed.shape.macs()) / (static_cast<double>(g.pes()) * static_cast<double>(keyed.stats.cycles))},
          {"closed_form_cycles", s.cycles()},
          {"counters", keyed.stats.counters}};
}


}  // namespace

nlohmann::json run_job(const RunConfig& cfg, const std::atomic<bool>* stop) {
  const std::string model_path = cfg.model.empty() ? default_model_path() : cfg.model;
  if (cfg.batch < 1 || cfg.batch > 65536) throw Error("--batch: must be 1..65536, not " + std::to_string(cfg.batch));
  if (cfg.wrong_keys < 0 || cfg.wrong_keys > 10000) throw Error("--wrong-keys: must be 0..10000");
  if (!(cfg.clock_mhz > 0) || !std::isfinite(cfg.clock_mhz)) throw Error("--clock-mhz: must be positive");
  if (cfg.calib < 1 || cfg.calib > 60000) throw Error("--calib: must be 1..60000");
  if (!(cfg.preprocess.std > 0)) throw Error("--std: must be positive");

  // Model: ONNX (quantize + lock here) or a locked package (needs the key).
  const bool is_pkg = is_package_file(model_path);
  std::optional<Graph> graph;
  QuantModel unlocked, locked;
  Geometry g;
  std::optional<Key> key;
  // Key expansion: an expanded run keeps its master key and source here.
  const std::optional<KeyMode> want_mode = cfg.key_mode.empty() ? std::nullopt : std::optional<KeyMode>(parse_key_mode(cfg.key_mode));
  std::optional<KeyFile> kf;
  if (!cfg.key_path.empty()) kf = read_key_file(cfg.key_path, want_mode);
  const bool expanded = kf ? kf->mode == KeyMode::kExpanded : want_mode == KeyMode::kExpanded;
  if (cfg.wrong_key_distance < 0 || cfg.wrong_key_distance > (expanded ? MasterKey::kBits : 65536))
    throw Error("--wrong-key-distance: must be 0 (random keys) up to the key's bit count");
  std::optional<MasterKey> master;
  std::unique_ptr<KeySource> xsrc;
  if (expanded) {
    // Energy (--energy, priced by host/energy with the cipher and per-PE key bits) and
    // SCALE-Sim traces (key-independent) work; Accelergy files and the SAIF do not model the cipher yet.
    if (!cfg.accelergy_out.empty() || !cfg.accelergy_dir.empty() || !cfg.saif_path.empty())
      throw UsageError("--key-mode expanded: Accelergy files and the SAIF do not model the expanded key unit yet (--energy does)");
    if (is_pkg) {
      locked = read_package(model_path);
      if (!locked.dataset_mean.empty() && cfg.dataset.empty()) throw Error(model_path + ": package was locked on a --dataset; give keymac run --dataset SPEC (without it, it would evaluate Fashion-MNIST)");  // issue 12
      g = locked.lock_geometry;
      if (cfg.array && *cfg.array != g)
        throw Error(model_path + ": package is locked for a " + g.str() + " array and cannot run on " + cfg.array->str());
      if (!kf) throw Error(model_path + ": running a locked package needs --key FILE (the key it was locked with)");
      xsrc = key_source_for(locked, cfg.key_path);
      master = static_cast<const ExpandedKeySource&>(*xsrc).master_key();
      unlocked = unlock_model(locked, *xsrc);
    } else {
      g = cfg.array.value_or(Geometry::make(16, 16));
      graph = import_onnx(model_path);
      unlocked = cfg.dataset.empty() ? quantize_on_training_set(*graph, cfg.data_dir, cfg.calib, cfg.preprocess)
                                     : quantize_for_run(*graph, cfg);  // issue 12: --dataset
      // --key-seed S (sweeps record it): master key MasterKey::seeded_random(S) and
      // nonce S, so a point's lock is reproducible; otherwise both are fresh.
      if (kf) {
        master = *kf->master;
      } else {
        master = cfg.key_seed ? MasterKey::seeded_random(*cfg.key_seed) : MasterKey::secure_random();
        if (!cfg.save_key_path.empty()) master->write(cfg.save_key_path);
      }
      xsrc = std::make_unique<ExpandedKeySource>(g, *master, !kf && cfg.key_seed ? *cfg.key_seed : fresh_nonce());
      locked = lock_model(unlocked, *xsrc);
    }
  } else if (kf) {
    key = *kf->key;
  }
  if (!expanded && is_pkg) {
    locked = read_package(model_path);
    if (!locked.dataset_mean.empty() && cfg.dataset.empty()) throw Error(model_path + ": package was locked on a --dataset; give keymac run --dataset SPEC (without it, it would evaluate Fashion-MNIST)");  // issue 12
    g = locked.lock_geometry;
    if (cfg.array && *cfg.array != g)
      throw Error(model_path + ": package is locked for a " + g.str() + " array and cannot run on " + cfg.array->str());
    if (!key) throw Error(model_path + ": running a locked package needs --key FILE (the key it was locked with)");
    if (key->geometry() != g)
      throw Error(cfg.key_path + ": key is for a " + key->geometry().str() + " array but the package is locked for " + g.str());
    unlocked = unlock_model(locked, *key);
  } else if (!expanded) {
    g = cfg.array.value_or(Geometry::make(16, 16));
    graph = import_onnx(model_path);  // a broken model file is named before any key mismatch
    if (key && key->geometry() != g)
      throw Error(cfg.key_path + ": key is for a " + key->geometry().str() + " array, not " + g.str());
    unlocked = cfg.dataset.empty() ? quantize_on_training_set(*graph, cfg.data_dir, cfg.calib, cfg.preprocess)
                                     : quantize_for_run(*graph, cfg);  // issue 12: --dataset
    if (!key) {
      key = cfg.key_seed ? Key::seeded_random(g, *cfg.key_seed) : Key::secure_random(g);
      if (!cfg.save_key_path.empty()) key->write(cfg.save_key_path);
    }
    locked = lock_model(unlocked, *key);
  }
  std::optional<DatasetTestSet> dtest;  // issue 12: --dataset
  if (!cfg.dataset.empty()) dtest = dataset_test_set(cfg, locked, is_pkg);
  ImageSet test = dtest ? std::move(dtest->set) : load_idx(cfg.data_dir, "t10k", cfg.limit);

  // Wrong keys: from a per-run secret drawn from the OS and never written
  // (issue 15: a report with the seed and the keys' distances gives the key
  // away), or from --seed when the user asks for reproducible wrong keys;
  // each differs from the right key.
  const bool secret_wrong_keys = !cfg.seed.has_value();
  const uint64_t seed = cfg.seed.value_or(os_seed());
  // With --wrong-key-distance D, wrong key i flips D distinct bits of the right key
  // (KeySource::at_distance from seed + i; D = 1: bit (seed + i) mod bits, so
  // consecutive wrong keys cover every bit); without, it is an unrelated seeded key.
  std::unique_ptr<KeySource> right_src = expanded ? xsrc->clone() : std::make_unique<SerialKeySource>(*key);
  if (cfg.wrong_key_distance > right_src->secret_bits())
    throw Error("--wrong-key-distance: the key has only " + std::to_string(right_src->secret_bits()) + " bits");
  std::vector<std::unique_ptr<KeySource>> wrong_src;
  std::vector<int> wrong_hd;
  for (int i = 0; i < cfg.wrong_keys; ++i) {
    const uint64_t s = seed + static_cast<uint64_t>(i);
    auto w = cfg.wrong_key_distance > 0 ? right_src->at_distance(cfg.wrong_key_distance, s) : right_src->random_like(s);
    if (w->hamming_distance(*right_src) == 0) w = right_src->with_bits_flipped({0});
    wrong_hd.push_back(w->hamming_distance(*right_src));
    wrong_src.push_back(std::move(w));
  }
  std::vector<EvalSpec> specs = {{"reference", &unlocked, nullptr},
                                 {"correct_key", &locked, expanded ? nullptr : &*key, xsrc.get()},
                                 {"plain_array", &locked, nullptr}};
  // Only the right-key evaluation writes the waveform (one file, one run).
  const BackendFactory make = [&](const EvalSpec& spec) {
    BackendOptions o = cfg.backend_options;
    o.trace.period_ps = trace_period_ps(cfg.clock_mhz);  // traces issue: waveform time from --clock-mhz
    if (spec.label != "correct_key") o.trace.vcd_path.clear();
    if (spec.label == "correct_key" && cfg.backend == "rtl") o.trace.saif_path = cfg.saif_path;  // traces issue
    return make_backend(cfg.backend, g, o);
  };
  const int threads = cfg.threads > 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  const int64_t work = test.count * static_cast<int64_t>(specs.size() + static_cast<size_t>(cfg.wrong_keys)) + (graph ? test.count : 0);
  Progress bar("evaluating", work, cfg.progress);
  int64_t float_done = 0;
  std::optional<double> acc_float;
  if (graph) {
    acc_float = float_accuracy(*graph, test, cfg.preprocess, stop, threads, float_done);
    bar.add(float_done);
  }
  nlohmann::json scalesim_note;  // what --scalesim-trace wrote (trace_notes)
  const nlohmann::json energy = energy_and_traces(cfg, locked, unlocked, *right_src, test, make, g, &scalesim_note);  // traces issue
  auto results = evaluate_all(specs, test, make, cfg.batch, threads, stop, [&](int64_t n) { bar.add(n); });
  // The random-wrong-key pass runs on the security harness's inference oracle
  // (the same Int8Runner/backend path). Only finished keys count (issue 15).
  BackendOptions wopt = cfg.backend_options;
  wopt.trace = TraceOptions{};
  const InferenceOracle oracle(locked, g, cfg.backend, wopt);
  std::vector<double> wk;
  std::vector<int> hd;
  for (int i = 0; i < cfg.wrong_keys; ++i) {
    if (stop && stop->load()) break;
    const KeySource* src = wrong_src[static_cast<size_t>(i)].get();
    int64_t ran = 0;
    const double a = oracle.accuracy(test, src, threads, stop, &ran);
    bar.add(ran);
    if (ran != test.count) break;
    wk.push_back(a);
    hd.push_back(wrong_hd[static_cast<size_t>(i)]);
  }
  bar.finish();

  bool complete = (!graph || float_done == test.count) && static_cast<int>(wk.size()) == cfg.wrong_keys;
  for (const auto& r : results) complete = complete && r.complete;
  const EvalResult& ref = results[0];
  const EvalResult& ck = results[1];
  const EvalResult& plain = results[2];

  nlohmann::json rep;
  rep["complete"] = complete;
  nlohmann::json done = {{"float", graph ? nlohmann::json(float_done) : nlohmann::json(nullptr)}};
  for (const auto& r : results) done[r.label] = r.images;
  done["wrong_keys_finished"] = wk.size();
  rep["evaluated_images"] = done;  // per evaluation; below `images` only if interrupted
  rep["model"] = model_path;
  rep["model_kind"] = is_pkg ? "locked-package" : "onnx";
  rep["backend"] = cfg.backend;
  rep["array"] = {{"rows", g.rows}, {"cols", g.cols}};
  rep["batch"] = cfg.batch;
  rep["images"] = test.count;
  if (dtest) rep["dataset"] = dtest->line, rep["dataset_classes"] = dtest->num_classes;  // issue 12
  rep["clock_mhz"] = cfg.clock_mhz;
  rep["wrong_keys_from"] = secret_wrong_keys ? "per-run secret (not recorded)" : "--seed";
  nlohmann::json acc;
  acc["float"] = acc_float ? nlohmann::json(*acc_float) : nlohmann::json(nullptr);
  acc["reference"] = ref.accuracy();
  acc["correct_key"] = ck.accuracy();
  acc["plain_array"] = plain.accuracy();
  // Aggregates only for the distances; per-key accuracies only when the wrong
  // keys come from the unrecorded secret (with a known --seed they would
  // leak the key through accuracy vs distance).
  nlohmann::json wj = {{"n", wk.size()}, {"n_requested", cfg.wrong_keys}};
  if (secret_wrong_keys) wj["values"] = wk;
  if (!wk.empty()) {
    double sum = 0, hsum = 0;
    for (double v : wk) sum += v;
    for (int h : hd) hsum += h;
    wj["mean"] = sum / static_cast<double>(wk.size());
    wj["min"] = *std::min_element(wk.begin(), wk.end());
    wj["max"] = *std::max_element(wk.begin(), wk.end());
    wj["hamming_distance"] = {{"mean", hsum / static_cast<double>(hd.size())},
                              {"min", *std::min_element(hd.begin(), hd.end())},
                              {"max", *std::max_element(hd.begin(), hd.end())}};
  } else {
    wj["mean"] = wj["min"] = wj["max"] = nullptr;
  }
  acc["wrong_key"] = wj;
  rep["accuracy"] = acc;
  int64_t same = 0;
  for (size_t i = 0; i < std::min(ref.predictions.size(), ck.predictions.size()); ++i) same += ref.predictions[i] == ck.predictions[i];
  rep["right_key_vs_reference"] = {{"identical_predictions", same},
                                   {"images", std::min(ref.images, ck.images)},
                                   {"scores_bit_identical", ref.complete && ck.complete && ref.scores_hash == ck.scores_hash}};

  // Latency of one full batch, keyed (right key) and plain (reference run).
  uint64_t cyc_k = 0, cyc_p = 0, macs = 0;
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < ck.first_batch.size() && i < ref.first_batch.size(); ++i) {
    layers.push_back(layer_json(ck.first_batch[i], ref.first_batch[i], g));
    cyc_k += ck.first_batch[i].stats.cycles;
    cyc_p += ref.first_batch[i].stats.cycles;
    macs += static_cast<uint64_t>(ck.first_batch[i].shape.macs());
  }
  const int64_t batch_images = std::min<int64_t>(cfg.batch, test.count);
  rep["layers"] = layers;
  rep["cycles"] = {{"keyed", cyc_k}, {"plain", cyc_p},
                   {"keyed_total", ck.total_cycles}, {"plain_total", ref.total_cycles},
                   {"per_batch_images", batch_images},
                   {"extra_for_key", static_cast<int64_t>(cyc_k) - static_cast<int64_t>(cyc_p)}};
  const double us = 1.0 / cfg.clock_mhz;
  rep["time_us"] = {{"keyed_per_batch", static_cast<double>(cyc_k) * us}, {"plain_per_batch", static_cast<double>(cyc_p) * us},
                    {"keyed_per_image", batch_images ? static_cast<double>(cyc_k) * us / static_cast<double>(batch_images) : 0.0}};
  const double pes = g.pes();
  rep["utilisation"] = {{"keyed", cyc_k ? static_cast<double>(macs) / (pes * static_cast<double>(cyc_k)) : 0.0},
                        {"plain", cyc_p ? static_cast<double>(macs) / (pes * static_cast<double>(cyc_p)) : 0.0}};
  rep["key"] = {{"bits", g.pes()}, {"register_bits", key_register_bits(g)}, {"load_cycles", g.pes()},
                {"plain_bits", 0}, {"plain_register_bits", 0}};
  rep["key"]["mode"] = expanded ? "expanded" : "periodic";
  if (expanded) {
    char nonce[17];
    std::snprintf(nonce, sizeof nonce, "%016llx", static_cast<unsigned long long>(locked.key_nonce));
    rep["key"]["bits"] = MasterKey::kBits;
    rep["key"]["load_cycles"] = MasterKey::kBits;
    rep["key"]["cipher"] = "trivium";
    rep["key"]["nonce"] = nonce;
    rep["key"]["warmup_cycles_per_layer"] = xsrc->warmup_cycles();
    rep["key"]["register_bits"] = expanded_key_storage_bits(g);  // ARCHITECTURE.md 11.6 (model, not Yosys)
  }
  // Area overhead of the key, when `keymac synth` has synthesized this geometry.
  // An expanded run reports the expanded array's overhead (`keymac synth
  // --key-mode expanded`), never the periodic one.
  if (auto area = cached_area(g, expanded); !area.is_null()) rep["area"] = area;
  LayerStats tot;
  for (const auto& s : ck.layer_totals) tot += s;
  rep["backend_totals"] = {{"cycles", tot.cycles}, {"stall_cycles", tot.stall_cycles}, {"macs", tot.macs}, {"counters", tot.counters}};
  if (!energy.is_null()) rep["energy"] = energy;  // traces issue
  if (!scalesim_note.is_null()) rep["scalesim_trace"] = scalesim_note;
  return rep;
}

}  // namespace keymac
