#include "host/security/harness.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <thread>

#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/progress.h"
#include "host/security/attack.h"
#include "host/security/oracle.h"
#include "host/security/power_model.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {

// ---- sealed implementations: the only places outside Harness::State that hold the key.

struct DeviceOracle::Impl {
  Impl(const QuantModel& locked, Geometry g, const KeySource& key) : oracle(locked, g), key(key.clone()) {}
  InferenceOracle oracle;            // the locked model on the device's array
  std::unique_ptr<KeySource> key;    // the device's key (register contents or master key)
  int64_t queries = 0;
  int64_t traced = 0;
};

DeviceOracle::DeviceOracle(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeviceOracle::~DeviceOracle() = default;

std::vector<float> DeviceOracle::query_scores(const uint8_t* pixels, int64_t count) {
  impl_->queries += count;
  return impl_->oracle.scores(pixels, count, impl_->key.get());
}

std::vector<uint8_t> DeviceOracle::query_labels(const uint8_t* pixels, int64_t count) {
  impl_->queries += count;
  return impl_->oracle.labels(pixels, count, impl_->key.get());
}

PowerTrace DeviceOracle::trace_inference(const uint8_t* pixels, int64_t count, size_t gemm_index, int64_t max_cycles,
                                         double noise_sigma, uint64_t noise_seed) {
  const Geometry g = impl_->oracle.geometry();
  GemmShape shape;
  const auto x = gemm_inputs(impl_->oracle.model(), g, impl_->key.get(), pixels, count, gemm_index, &shape);
  const QuantLayer* layer = nullptr;
  size_t seen = 0;
  for (const auto& l : impl_->oracle.model().layers)
    if (l.is_gemm_like() && seen++ == gemm_index) layer = &l;
  if (!layer) throw Error("power: the model has no GEMM layer " + std::to_string(gemm_index));
  PowerTrace t;
  t.toggles = ToggleModel(x.data(), layer->weight.data(), shape, g, max_cycles)
                  .total(impl_->key.get(), static_cast<int64_t>(gemm_index));
  if (noise_sigma > 0) {
    std::mt19937_64 rng(noise_seed);
    std::normal_distribution<double> n(0.0, noise_sigma);
    for (double& v : t.toggles) v += n(rng);
  }
  impl_->queries += count;
  impl_->traced += t.cycles();
  return t;
}

Geometry DeviceOracle::geometry() const { return impl_->oracle.geometry(); }
int64_t DeviceOracle::queries() const { return impl_->queries; }
int64_t DeviceOracle::traced_cycles() const { return impl_->traced; }

struct KeyProbe::Impl {
  Impl(const QuantModel& locked, Geometry g, const KeySource& key, const ImageSet& test, int threads)
      : oracle(locked, g), key(key.clone()), test(test), threads(threads) {}
  double accuracy(const KeySource* k) { return oracle.accuracy(test, k, threads); }
  InferenceOracle oracle;
  std::unique_ptr<KeySource> key;
  const ImageSet& test;
  int threads;
};

KeyProbe::KeyProbe(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyProbe::~KeyProbe() = default;
double KeyProbe::right_key_accuracy() { return impl_->accuracy(impl_->key.get()); }
double KeyProbe::plain_array_accuracy() { return impl_->accuracy(nullptr); }
int KeyProbe::secret_bits() const { return impl_->key->secret_bits(); }
KeyMode KeyProbe::key_mode() const { return impl_->key->mode(); }

double KeyProbe::accuracy_at_distance(int d, std::mt19937_64& rng) {
  if (d < 0 || d > secret_bits())
    throw Error("distance: Hamming distance " + std::to_string(d) + " out of 0.." + std::to_string(secret_bits()));
  const auto k = impl_->key->at_distance(d, rng());
  return impl_->accuracy(k.get());
}

double KeyProbe::accuracy_with_bit_flipped(int i) {
  if (i < 0 || i >= secret_bits()) throw Error("sensitivity: bit " + std::to_string(i) + " is outside the key");
  const auto k = impl_->key->with_bits_flipped({i});
  return impl_->accuracy(k.get());
}

double KeyProbe::accuracy_with_bit_flipped(int r, int c) {
  const Geometry g = impl_->key->geometry();
  if (impl_->key->mode() != KeyMode::kPeriodic || r < 0 || r >= g.rows || c < 0 || c >= g.cols)
    throw Error("sensitivity: bit out of the array");
  return accuracy_with_bit_flipped(r * g.cols + c);
}

int64_t KeyProbe::evaluation_images() const { return impl_->test.count; }
int64_t KeyProbe::forward_passes() const { return impl_->oracle.forward_passes(); }

// ---- the harness

struct Harness::State {
  QuantModel locked;
  std::unique_ptr<KeySource> key;
  std::unique_ptr<InferenceOracle> scorer;  // the locked model with the true key (harness only)
  ImageSet test, train, labelled, unlabelled;
  HarnessOptions opt;
  std::unique_ptr<CandidateEvaluator> evaluator;
  std::optional<double> right_acc, plain_acc;
};

namespace {
ImageSet subset(const ImageSet& src, const std::vector<int64_t>& idx, size_t from, size_t n, bool labels) {
  ImageSet s;
  s.rows = src.rows;
  s.cols = src.cols;
  s.count = static_cast<int64_t>(n);
  const size_t px = static_cast<size_t>(src.rows * src.cols);
  s.pixels.resize(n * px);
  for (size_t i = 0; i < n; ++i) {
    const int64_t j = idx[from + i];
    std::copy_n(src.image(j), px, s.pixels.data() + i * px);
    if (labels) s.labels.push_back(src.labels[static_cast<size_t>(j)]);
  }
  return s;
}
// A candidate (an R x C key, the same bit in every fold) scored against the
// true source as a per-weight sign pattern: every weight of every Gemm/Conv
// (sign_bits_*), and fold 0 of the first layer alone (first_fold_bits_*).
void score_sign_pattern(const QuantModel& m, const KeySource& truth, const Key& candidate, nlohmann::json& j) {
  const SerialKeySource cand(candidate);
  int64_t same = 0, total = 0, layer = 0;
  for (const auto& l : m.layers) {
    if (!l.is_gemm_like()) continue;
    const auto a = weight_key_bits(truth, layer, l.k, l.n), b = weight_key_bits(cand, layer, l.k, l.n);
    for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
    total += static_cast<int64_t>(a.size());
    ++layer;
  }
  const Geometry g = candidate.geometry();
  std::vector<uint8_t> p(static_cast<size_t>(g.pes())), q(static_cast<size_t>(g.pes()));
  truth.fold_plane(0, 0, p.data());
  cand.fold_plane(0, 0, q.data());
  int64_t first = 0;
  for (size_t i = 0; i < p.size(); ++i) first += p[i] == q[i];
  j["sign_bits_recovered"] = same;
  j["sign_bits_total"] = total;
  j["first_fold_bits_recovered"] = first;
}

// Bits of a candidate that match the true key: R*C - distance for a periodic
// key; null for an expanded one (no common bits).
nlohmann::json bits_recovered(const KeySource& truth, const Key& candidate) {
  if (truth.mode() != KeyMode::kPeriodic) return nullptr;
  return truth.secret_bits() - SerialKeySource(candidate).hamming_distance(truth);
}
}  // namespace

Harness::Harness(QuantModel locked, Key key, ImageSet test, ImageSet train, HarnessOptions options)
    : Harness(std::move(locked), std::make_unique<SerialKeySource>(std::move(key)), std::move(test), std::move(train),
              std::move(options)) {}

Harness::Harness(QuantModel locked, std::unique_ptr<KeySource> key, ImageSet test, ImageSet train, HarnessOptions options)
    : s_(std::make_unique<State>()) {
  if (!locked.locked) throw Error("attack: the model is not locked");
  if (!key) throw Error("attack: no key");
  if (key->geometry() != locked.lock_geometry)
    throw Error("attack: key is for a " + key->geometry().str() + " array but the model is locked for " + locked.lock_geometry.str());
  if (key->mode() == KeyMode::kExpanded && static_cast<const ExpandedKeySource&>(*key).nonce() != locked.key_nonce)
    throw Error("attack: the expanded key's nonce is not the package's");
  if (options.images < 0 || options.queries < 0) throw Error("attack: --images and --queries must be >= 0");
  if (options.images + options.queries > train.count)
    throw Error(fmt::format("attack: --images {} + --queries {} exceed the {} training images", options.images,
                            options.queries, train.count));
  s_->locked = std::move(locked);
  s_->key = std::move(key);
  s_->test = std::move(test);
  s_->train = std::move(train);
  s_->opt = std::move(options);
  s_->opt.threads = std::max(1, s_->opt.threads);
  std::vector<int64_t> idx(static_cast<size_t>(s_->train.count));
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(s_->opt.seed);
  std::shuffle(idx.begin(), idx.end(), rng);
  s_->labelled = subset(s_->train, idx, 0, static_cast<size_t>(s_->opt.images), true);
  s_->unlabelled = subset(s_->train, idx, static_cast<size_t>(s_->opt.images), static_cast<size_t>(s_->opt.queries), false);
  s_->evaluator = std::make_unique<CandidateEvaluator>(s_->locked, s_->locked.lock_geometry, s_->opt.threads);
  s_->scorer = std::make_unique<InferenceOracle>(s_->locked, s_->locked.lock_geometry);
}

Harness::~Harness() = default;
const QuantModel& Harness::locked() const { return s_->locked; }
Geometry Harness::geometry() const { return s_->locked.lock_geometry; }

double Harness::right_key_accuracy() {
  if (!s_->right_acc) s_->right_acc = s_->scorer->accuracy(s_->test, s_->key.get(), s_->opt.threads);
  return *s_->right_acc;
}
double Harness::plain_array_accuracy() {
  if (!s_->plain_acc) s_->plain_acc = s_->evaluator->accuracy(nullptr, s_->test);
  return *s_->plain_acc;
}

nlohmann::json Harness::run(const std::string& name, const std::atomic<bool>* stop) {
  auto attack = make_attack(name);
  const Geometry g = geometry();
  State& s = *s_;
  std::unique_ptr<DeviceOracle> device;
  std::unique_ptr<KeyProbe> probe;
  if (attack->needs_device()) device = std::make_unique<DeviceOracle>(std::make_unique<DeviceOracle::Impl>(s.locked, g, *s.key));
  if (attack->needs_probe())
    probe = std::make_unique<KeyProbe>(std::make_unique<KeyProbe::Impl>(s.locked, g, *s.key, s.test, s.opt.threads));
  AttackContext ctx;
  ctx.locked = &s.locked;
  ctx.geometry = g;
  ctx.key_mode = s.key->mode();
  ctx.labelled = &s.labelled;
  ctx.unlabelled = &s.unlabelled;
  ctx.train_pool = attack->needs_train_pool() ? &s.train : nullptr;
  ctx.test = &s.test;
  ctx.device = device.get();
  ctx.probe = probe.get();
  ctx.evaluator = s.evaluator.get();
  ctx.seed = s.opt.seed;
  ctx.threads = s.opt.threads;
  ctx.stop = stop;
  if (s.opt.progress) ctx.progress = [&](const std::string& st, int64_t d, int64_t t) { s.opt.progress(name + ": " + st, d, t); };
  if (s.opt.options.contains(name)) ctx.options = s.opt.options[name];
  ctx.data_dir = s.opt.data_dir;

  const int64_t passes0 = s.evaluator->forward_passes();
  const auto t0 = std::chrono::steady_clock::now();
  AttackOutcome out = attack->run(ctx);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t passes = out.forward_passes + (s.evaluator->forward_passes() - passes0) + (probe ? probe->forward_passes() : 0);

  nlohmann::json j;
  j["attack"] = name;
  j["threat_model"] = attack->threat_model();
  j["complete"] = out.complete;
  j["bits_total"] = s.key->secret_bits();
  j["key_mode"] = key_mode_name(s.key->mode());
  j["array_pes"] = g.pes();
  j["bits_recovered"] = nullptr;
  j["accuracy_with_recovered_key"] = nullptr;
  if (out.candidate) {
    if (out.candidate->geometry() != g) throw Error("attack " + name + ": candidate key has the wrong geometry");
    j["bits_recovered"] = bits_recovered(*s.key, *out.candidate);
    score_sign_pattern(s.locked, *s.key, *out.candidate, j);
    j["accuracy_with_recovered_key"] = s.evaluator->accuracy(&*out.candidate, s.test);
  } else if (out.accuracy) {
    j["accuracy_with_recovered_key"] = *out.accuracy;
  }
  for (const auto& sc : out.scored) {
    if (sc.key.geometry() != g) throw Error("attack " + name + ": candidate key has the wrong geometry");
    nlohmann::json p = sc.point;
    p["bits_recovered"] = bits_recovered(*s.key, sc.key);
    score_sign_pattern(s.locked, *s.key, sc.key, p);
    if (sc.with_accuracy) p["accuracy"] = s.evaluator->accuracy(&sc.key, s.test);
    if (!j.contains(sc.series)) j[sc.series] = nlohmann::json::array();
    j[sc.series].push_back(std::move(p));
  }
  j["right_key_accuracy"] = right_key_accuracy();
  j["plain_array_accuracy"] = plain_array_accuracy();
  j["test_images"] = s.test.count;
  j["labelled_images"] = out.labelled_images;
  j["unlabelled_images"] = out.unlabelled_images;
  j["queries"] = device ? std::max(out.queries, device->queries()) : out.queries;
  j["traced_cycles"] = device ? device->traced_cycles() : 0;
  j["forward_passes"] = passes;
  j["seconds"] = seconds;
  for (auto it = out.detail.begin(); it != out.detail.end(); ++it)
    if (!j.contains(it.key())) j[it.key()] = it.value();
  return j;
}

// ---- `keymac attack`

nlohmann::json attack_job(const AttackConfig& cfg, const std::atomic<bool>* stop) {
  if (cfg.key_path.empty()) throw Error("--key: required (the true key; only the harness sees it)");
  if (cfg.attacks.empty()) throw Error("--attack: name at least one attack (" + [] {
    std::string a;
    for (const auto& n : attack_names()) a += (a.empty() ? "" : ", ") + n;
    return a;
  }() + ")");
  for (const auto& a : cfg.attacks) make_attack(a);  // unknown names fail before any work
  for (auto it = cfg.options.begin(); it != cfg.options.end(); ++it) {
    const auto known = make_attack(it.key())->option_names();
    if (known.empty()) continue;
    for (auto o = it.value().begin(); o != it.value().end(); ++o)
      if (std::find(known.begin(), known.end(), o.key()) == known.end()) {
        std::string k;
        for (const auto& n : known) k += (k.empty() ? "" : ", ") + n;
        throw Error("--option " + it.key() + "." + o.key() + ": " + it.key() + " has no option '" + o.key() + "' (it has: " + k + ")");
      }
  }
  if (cfg.images < 0 || cfg.images > 60000) throw Error("--images: must be 0..60000");
  if (cfg.queries < 0 || cfg.queries > 60000) throw Error("--queries: must be 0..60000");
  if (cfg.limit == 0 || cfg.limit < -1) throw Error("--limit: must be positive");
  if (cfg.calib < 1 || cfg.calib > 60000) throw Error("--calib: must be 1..60000");
  const KeyFile kf = read_key_file(cfg.key_path, cfg.key_mode.empty() ? std::nullopt : std::optional<KeyMode>(parse_key_mode(cfg.key_mode)));
  if (cfg.nonce && kf.mode != KeyMode::kExpanded) throw UsageError("--nonce: only expanded keys have a nonce");
  std::unique_ptr<KeySource> key;
  QuantModel locked;
  const bool pkg = is_package_file(cfg.model);
  if (pkg) {
    locked = read_package(cfg.model);
    if (cfg.array && *cfg.array != locked.lock_geometry)
      throw Error(cfg.model + ": package is locked for a " + locked.lock_geometry.str() + " array, not " + cfg.array->str());
    if (cfg.nonce) throw UsageError("--nonce: a package records its own nonce");
    if (kf.mode == KeyMode::kPeriodic && kf.key->geometry() != locked.lock_geometry)
      throw Error(cfg.key_path + ": key is for a " + kf.key->geometry().str() + " array but the package is locked for " +
                  locked.lock_geometry.str());
    key = key_source_for(locked, cfg.key_path);
  } else {
    const Geometry g = cfg.array.value_or(Geometry::make(16, 16));
    if (kf.mode == KeyMode::kPeriodic && kf.key->geometry() != g)
      throw Error(cfg.key_path + ": key is for a " + kf.key->geometry().str() + " array, not " + g.str());
    key = make_key_source(kf, g, kf.mode == KeyMode::kExpanded ? cfg.nonce.value_or(fresh_nonce()) : 0);
    const Graph graph = import_onnx(cfg.model);
    locked = lock_model(quantize_on_training_set(graph, cfg.data_dir, cfg.calib, cfg.preprocess), *key);
  }
  const Geometry g = locked.lock_geometry;
  ImageSet test = load_idx(cfg.data_dir, "t10k", cfg.limit);
  ImageSet train = load_idx(cfg.data_dir, "train", -1);
  HarnessOptions ho;
  ho.images = cfg.images;
  ho.queries = cfg.queries;
  ho.seed = cfg.seed;
  ho.threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ho.options = cfg.options;
  ho.data_dir = cfg.data_dir;
  std::unique_ptr<Progress> bar;
  std::string bar_stage;
  int64_t bar_done = 0;
  if (cfg.progress)
    ho.progress = [&](const std::string& stage, int64_t done, int64_t total) {
      if (!bar || stage != bar_stage) {
        bar.reset();
        bar = std::make_unique<Progress>(stage, total > 0 ? total : 1, true);
        bar_stage = stage;
        bar_done = 0;
      }
      if (done > bar_done) bar->add(done - bar_done);
      bar_done = done;
    };
  Harness h(std::move(locked), std::move(key), std::move(test), std::move(train), ho);
  nlohmann::json rep;
  rep["model"] = cfg.model;
  rep["model_kind"] = pkg ? "locked-package" : "onnx";
  rep["array"] = {{"rows", g.rows}, {"cols", g.cols}};
  rep["key_mode"] = key_mode_name(kf.mode);
  rep["seed"] = cfg.seed;
  rep["images"] = cfg.images;
  rep["queries"] = cfg.queries;
  rep["right_key_accuracy"] = h.right_key_accuracy();
  rep["plain_array_accuracy"] = h.plain_array_accuracy();
  rep["attacks"] = nlohmann::json::array();
  bool complete = true;
  for (const auto& a : cfg.attacks) {
    if (stop && stop->load()) {
      complete = false;
      break;
    }
    auto r = h.run(a, stop);
    bar.reset();
    if (!r["complete"].get<bool>()) {  // interrupted: finished attacks only
      complete = false;
      rep["interrupted"] = a;
      break;
    }
    rep["attacks"].push_back(std::move(r));
  }
  rep["complete"] = complete;
  return rep;
}

std::string attack_table(const nlohmann::json& r) {
  auto pct = [](const nlohmann::json& v) { return v.is_null() ? std::string("    n/a") : fmt::format("{:6.2f} %", v.get<double>()); };
  std::string o = fmt::format("keymac attack: {} on a {}x{} array, {} key (right key {}, plain array {}){}\n\n",
                              r["model"].get<std::string>(), r["array"]["rows"].get<int>(), r["array"]["cols"].get<int>(),
                              r.value("key_mode", std::string("periodic")),
                              pct(r["right_key_accuracy"]), pct(r["plain_array_accuracy"]),
                              r["complete"].get<bool>() ? "" : "  ** INTERRUPTED: finished attacks only **");
  o += fmt::format("  {:<10} {:>11} {:>8} {:>10} {:>9} {:>9} {:>9} {:>10} {:>9}\n", "attack", "bits", "signs", "accuracy",
                   "labelled", "unlabel.", "queries", "fwd passes", "seconds");
  for (const auto& a : r["attacks"]) {
    const std::string bits = a["bits_recovered"].is_null()
                                 ? std::string("n/a")
                                 : fmt::format("{}/{}", a["bits_recovered"].get<int>(), a["bits_total"].get<int>());
    // signs: the share of all locked weights whose key bit the candidate gets right (50 %: none).
    const std::string signs =
        a.contains("sign_bits_total") && a["sign_bits_total"].get<int64_t>() > 0
            ? fmt::format("{:.1f} %", 100.0 * a["sign_bits_recovered"].get<double>() / a["sign_bits_total"].get<double>())
            : std::string("n/a");
    o += fmt::format("  {:<10} {:>11} {:>8} {:>10} {:>9} {:>9} {:>9} {:>10} {:>9.1f}\n", a["attack"].get<std::string>(), bits,
                     signs, pct(a["accuracy_with_recovered_key"]), a["labelled_images"].get<int64_t>(),
                     a["unlabelled_images"].get<int64_t>(), a["queries"].get<int64_t>(), a["forward_passes"].get<int64_t>(),
                     a["seconds"].get<double>());
  }
  for (const auto& a : r["attacks"]) {
    if (a.contains("curve")) {
      o += fmt::format("\n{}: accuracy vs Hamming distance of the key ({} test images)\n", a["attack"].get<std::string>(),
                       a["test_images"].get<int64_t>());
      o += fmt::format("  {:>6} {:>9} {:>9} {:>9} {:>4}\n", "d", "mean %", "min %", "max %", "n");
      for (const auto& p : a["curve"])
        o += fmt::format("  {:>6} {:>9.2f} {:>9.2f} {:>9.2f} {:>4}\n", p["d"].get<int>(), p["mean"].get<double>(),
                         p["min"].get<double>(), p["max"].get<double>(), p["n"].get<int>());
    }
    if (a.contains("bits_vs_cycles")) {
      o += fmt::format("\n{}: bits recovered vs traced cycles and noise\n", a["attack"].get<std::string>());
      o += fmt::format("  {:>8} {:>10} {:>8} {:>6} {:>16}\n", "cycles", "noise", "bits", "of", "first-fold bits");
      const int pes = a["array_pes"].is_number() ? a["array_pes"].get<int>() : 0;
      for (const auto& p : a["bits_vs_cycles"])
        o += fmt::format("  {:>8} {:>10.1f} {:>8} {:>6} {:>11}/{}\n", p["cycles"].get<int64_t>(), p["noise_sigma"].get<double>(),
                         p["bits_recovered"].is_null() ? std::string("n/a") : std::to_string(p["bits_recovered"].get<int>()),
                         a["bits_total"].get<int>(), p.value("first_fold_bits_recovered", int64_t{0}), pes);
    }
  }
  return o;
}

}  // namespace keymac
