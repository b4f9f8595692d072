// The security harness (docs/SECURITY.md): holds the true key, builds the
// sealed objects (DeviceOracle, KeyProbe) and the attacker's view
// (AttackContext), runs attacks and scores what they return.
//
// Contract:
//  * The true key never leaves this object except into the sealed oracles'
//    implementations (harness.cc). Attack reports hold no key material: no
//    candidate key, no per-bit correctness, only counts and accuracies.
//  * The attacker's labelled set is `images` training images and its
//    unlabelled set `queries` other training images (labels removed), drawn
//    with `seed`; the test set is used only for scoring (and the KeyProbe).
//  * One JSON object per attack (issue 10 item 3): attack, threat_model,
//    bits_total, bits_recovered (null without a candidate key),
//    accuracy_with_recovered_key, right_key_accuracy, plain_array_accuracy,
//    labelled_images, unlabelled_images, queries, forward_passes, seconds,
//    complete, plus the attack's detail fields (curve, sensitivity, ...).
//  * Either key mode (issue 11): the true key is a KeySource. Attacks still
//    return R x C candidate keys (what they can express: one sign bit per PE,
//    the same in every fold). bits_total is the key's secret bits (R*C, or 80
//    for an expanded master key); bits_recovered compares a candidate with a
//    periodic key and is null for an expanded one (an R x C candidate shares
//    no bit with a master key). For both modes a candidate is also scored as a
//    per-weight sign pattern: sign_bits_recovered of sign_bits_total (every
//    weight of every Gemm/Conv: does the candidate's key bit for it equal the
//    true one) and first_fold_bits_recovered of R*C (fold 0 of the first layer).
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/data/idx_dataset.h"
#include "host/model/graph.h"
#include "host/quant/quant_model.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac {

struct HarnessOptions {
  int64_t images = 100;       // attacker's labelled training images
  int64_t queries = 1000;     // attacker's unlabelled inputs (device queries)
  uint64_t seed = 1;          // attacker data subsets and attack randomness
  int threads = 1;
  nlohmann::json options = nlohmann::json::object();  // {attack name: {key: value}}
  std::string data_dir = kDefaultDataDir;
  // stage text (prefixed by the attack name), done, total
  std::function<void(const std::string&, int64_t, int64_t)> progress;
};

class Harness {
 public:
  // train: the pool the attacker's subsets come from (labelled).
  Harness(QuantModel locked, Key key, ImageSet test, ImageSet train, HarnessOptions options);
  // Any key mode (the package's nonce must match an expanded source's).
  Harness(QuantModel locked, std::unique_ptr<KeySource> key, ImageSet test, ImageSet train, HarnessOptions options);
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // Runs one attack and scores it. Throws keymac::Error for an unknown name.
  nlohmann::json run(const std::string& attack, const std::atomic<bool>* stop);
  const QuantModel& locked() const;
  Geometry geometry() const;
  double right_key_accuracy();
  double plain_array_accuracy();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

struct AttackConfig {
  std::string model;                 // .onnx (quantized + locked here with --key) or a locked package
  std::optional<Geometry> array;     // default 16x16 (or the package's)
  std::string key_path;              // the true key (required): periodic key or master key file
  std::string key_mode;              // periodic|expanded; empty: the key file's
  std::optional<uint64_t> nonce;     // expanded key, ONNX model: the lock's IV nonce (default: fresh random)
  std::vector<std::string> attacks;
  int64_t images = 100;
  int64_t queries = 1000;
  int64_t limit = -1;                // test images used for scoring; -1: all
  uint64_t seed = 1;
  int64_t calib = 1000;
  std::string data_dir = kDefaultDataDir;
  Preprocess preprocess;
  int threads = 0;                   // 0: all cores
  bool progress = true;
  nlohmann::json options = nlohmann::json::object();
};

// `keymac attack`: loads the model and key, runs every attack in order.
// Returns {"model", "array", "test_images", "seed", "complete", "attacks": [...]};
// after *stop only the attacks that finished are in "attacks" (complete false).
nlohmann::json attack_job(const AttackConfig& cfg, const std::atomic<bool>* stop);

// Readable table of an attack_job report.
std::string attack_table(const nlohmann::json& report);

}  // namespace keymac
