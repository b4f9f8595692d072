// One attack on a locked model (docs/SECURITY.md): the interface every attack
// implements, what it is given, what it returns, and the registry.
//
// Contract:
//  * An attack sees only what its threat model grants: the locked package
//    (public), the geometry, the attacker's own data, and the sealed oracles
//    the harness hands out (DeviceOracle, KeyProbe; either may be null when
//    the threat model excludes it). It never sees the true key: the harness
//    alone holds it and scores AttackOutcome::candidate.
//  * run() checks *ctx.stop between steps and returns early with
//    complete = false; what it returns then is still a valid (partial) result.
//  * Counts are what the attack used: labelled / unlabelled images, device
//    queries, forward passes of its own (candidate) inference.
//  * Each attack lives in its own host/security/attack_<name>.cc.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"
#include "host/security/oracle.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac {

struct AttackContext {
  const QuantModel* locked = nullptr;     // the public locked package
  Geometry geometry;                      // array it is locked for
  KeyMode key_mode = KeyMode::kPeriodic;  // public: the package records it (issue 11)
  const ImageSet* labelled = nullptr;     // attacker's labelled images (--images), from the training set
  const ImageSet* unlabelled = nullptr;   // attacker's own unlabelled inputs (--queries); labels are NOT to be used
  const ImageSet* train_pool = nullptr;   // labelled training pool (finetune's 1/5/10 % subsets)
  const ImageSet* test = nullptr;         // public test set: for reporting an attack's own model accuracy only
  DeviceOracle* device = nullptr;         // query/trace access to a keyed device (null: none)
  KeyProbe* probe = nullptr;              // true-key measurements (distance only; null otherwise)
  const CandidateEvaluator* evaluator = nullptr;  // the attacker's inference with candidate keys
  uint64_t seed = 1;
  int threads = 1;
  const std::atomic<bool>* stop = nullptr;
  // stage text, done, total (total 0: unknown)
  std::function<void(const std::string&, int64_t, int64_t)> progress;
  nlohmann::json options = nlohmann::json::object();  // per-attack options (--option NAME.KEY=VALUE)
  std::string data_dir = kDefaultDataDir;

  bool stopped() const { return stop && stop->load(); }
  void report(const std::string& stage, int64_t done, int64_t total) const {
    if (progress) progress(stage, done, total);
  }
};

// A key the attack found along the way (e.g. per trace length): the harness
// scores it and appends {point..., "bits_recovered": b[, "accuracy": a]} to
// the report's array `series`.
struct ScoredCandidate {
  std::string series;
  nlohmann::json point = nlohmann::json::object();
  Key key;
  bool with_accuracy = false;  // also the test accuracy with this key
};

struct AttackOutcome {
  std::optional<Key> candidate;           // recovered key (scored by the harness)
  std::optional<double> accuracy;         // the attack's own model accuracy when it yields no key (finetune)
  int64_t labelled_images = 0;
  int64_t unlabelled_images = 0;
  int64_t queries = 0;
  int64_t forward_passes = 0;
  nlohmann::json detail = nlohmann::json::object();
  std::vector<ScoredCandidate> scored;
  bool complete = true;
};

class Attack {
 public:
  virtual ~Attack() = default;
  virtual std::string name() const = 0;
  // One line: what the attacker has (package, geometry, data, device queries, traces).
  virtual std::string threat_model() const = 0;
  // Which sealed objects the harness must provide.
  virtual bool needs_device() const { return false; }
  virtual bool needs_probe() const { return false; }
  virtual bool needs_train_pool() const { return false; }
  // The --option keys this attack reads; `keymac attack` refuses others.
  // Empty: options are not checked.
  virtual std::vector<std::string> option_names() const { return {}; }
  virtual AttackOutcome run(const AttackContext& ctx) = 0;
};

// Throws keymac::Error listing attack_names() for an unknown name.
std::unique_ptr<Attack> make_attack(const std::string& name);
std::vector<std::string> attack_names();

// Factories, one per attack_<name>.cc.
std::unique_ptr<Attack> make_distance_attack();
std::unique_ptr<Attack> make_datafree_attack();
std::unique_ptr<Attack> make_greedy_attack();
std::unique_ptr<Attack> make_power_attack();
#ifdef KEYMAC_HAVE_TORCH
std::unique_ptr<Attack> make_gradient_attack();  // attack_gradient.cc (libtorch)
std::unique_ptr<Attack> make_finetune_attack();  // attack_finetune.cc (libtorch)
std::unique_ptr<Attack> make_gradient_oracle_attack();  // attack_gradient.cc: labels from device queries
#endif

}  // namespace keymac
