// Inference oracles for the security harness (docs/SECURITY.md).
//
//  * InferenceOracle: model + backend + key source -> scores for arbitrary
//    input batches, on the same bit-exact Int8Runner/backend path that `keymac
//    run` uses. It counts forward passes (images run through the model).
//  * CandidateEvaluator: the attacker's own inference: the PUBLIC locked model
//    run with a CANDIDATE key (or none: a plain array) on the attacker's data.
//  * DeviceOracle: a device that holds the true key. SEALED: the key lives in
//    an implementation object defined only in harness.cc; this class exposes
//    scores/labels for inputs and a per-cycle activity trace of the array, and
//    no accessor to the key. Only the harness can make one.
//  * KeyProbe: measurements that by definition use the true key (accuracy at
//    Hamming distance d, accuracy with one bit wrong). Sealed the same way:
//    attacks get numbers, never keys.
//  * The true key is a KeySource of either mode (issue 11): periodic (R*C
//    key bits) or expanded (80 master-key bits + the package's nonce). The
//    probe's distances and bit indices count the source's secret bits
//    (KeySource::secret_bits(): R*C or 80); the device traces fold by fold.
//
// Contract: every method is safe to call from one thread at a time per
// object unless marked thread-safe; counts are exact and monotone. Inputs are
// 28x28 uint8 images as ImageSet holds them. Errors throw keymac::Error.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend_options.h"
#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"
#include "sim/core/key.h"
#include "sim/core/schedule.h"

namespace keymac {

class InferenceOracle {
 public:
  // `model` must outlive the oracle. backend: "functional" (fast, thread-safe),
  // "systemc" or "rtl" (bit-identical scores, slow).
  InferenceOracle(const QuantModel& model, Geometry g, std::string backend = "functional",
                  BackendOptions options = {});
  // batch x num_outputs scores of `count` images with the key from `key`
  // (nullptr: plain array), split over `threads` threads. Thread-safe with
  // the functional backend.
  std::vector<float> scores(const uint8_t* pixels, int64_t count, const KeySource* key,
                            int64_t batch = 256, int threads = 1) const;
  // argmax labels of the scores above.
  std::vector<uint8_t> labels(const uint8_t* pixels, int64_t count, const KeySource* key,
                              int64_t batch = 256) const;
  // Accuracy (%) on a labelled set; threads > 1 splits the images.
  // Stops between batches when *stop; `done` (if given) gets the images run.
  double accuracy(const ImageSet& data, const KeySource* key, int threads = 1,
                  const std::atomic<bool>* stop = nullptr, int64_t* done = nullptr) const;
  int64_t forward_passes() const { return passes_.load(); }
  const QuantModel& model() const { return model_; }
  Geometry geometry() const { return g_; }
  int64_t num_outputs() const { return model_.num_outputs; }

 private:
  const QuantModel& model_;
  Geometry g_;
  std::string backend_;
  BackendOptions options_;
  mutable std::atomic<int64_t> passes_{0};
};

// The attacker's inference: the locked (public) model with candidate keys.
class CandidateEvaluator {
 public:
  CandidateEvaluator(const QuantModel& locked, Geometry g, int threads = 1);
  // Accuracy (%) of the locked model with `candidate` (nullptr: plain array).
  double accuracy(const Key* candidate, const ImageSet& data) const;
  std::vector<float> scores(const Key* candidate, const uint8_t* pixels, int64_t count) const;
  int64_t forward_passes() const { return oracle_.forward_passes(); }
  const QuantModel& locked() const { return oracle_.model(); }
  Geometry geometry() const { return oracle_.geometry(); }
  int threads() const { return threads_; }

 private:
  InferenceOracle oracle_;
  int threads_;
};

// Per-cycle activity of the array while it runs a GEMM (the power proxy).
// cycle t: number of bit toggles in all PE registers (activation, weight
// bank, partial sum) at that cycle, plus Gaussian noise of `noise_sigma`
// toggles if requested. Inputs and weights are known to the attacker; the
// only secret in the trace is the key.
struct PowerTrace {
  std::vector<double> toggles;   // one value per traced cycle
  int64_t cycles() const { return static_cast<int64_t>(toggles.size()); }
};

class DeviceOracle {
 public:
  struct Impl;  // defined in harness.cc only
  explicit DeviceOracle(std::unique_ptr<Impl> impl);
  ~DeviceOracle();
  DeviceOracle(const DeviceOracle&) = delete;
  DeviceOracle& operator=(const DeviceOracle&) = delete;

  // Scores / top-1 labels of the locked model on the device (true key).
  std::vector<float> query_scores(const uint8_t* pixels, int64_t count);
  std::vector<uint8_t> query_labels(const uint8_t* pixels, int64_t count);
  // Power trace of the device running the locked model on `count` images
  // (known or chosen by the attacker): the per-cycle toggles (power_model.h)
  // of its `gemm_index`-th Gemm/Conv layer, the first `max_cycles` cycles
  // (<= 0: all), plus Gaussian noise of noise_sigma toggles from noise_seed.
  PowerTrace trace_inference(const uint8_t* pixels, int64_t count, size_t gemm_index, int64_t max_cycles,
                             double noise_sigma, uint64_t noise_seed);
  Geometry geometry() const;
  int64_t queries() const;          // images whose scores/labels were asked for
  int64_t traced_cycles() const;    // cycles of traces handed out

 private:
  std::unique_ptr<Impl> impl_;
};

class KeyProbe {
 public:
  struct Impl;  // defined in harness.cc only
  explicit KeyProbe(std::unique_ptr<Impl> impl);
  ~KeyProbe();
  KeyProbe(const KeyProbe&) = delete;
  KeyProbe& operator=(const KeyProbe&) = delete;

  // Accuracy (%) on the probe's evaluation set (the harness's test set).
  double right_key_accuracy();
  double plain_array_accuracy();
  // Accuracy of a key at Hamming distance d from the true key, the d bits
  // chosen uniformly from `rng` (KeySource::at_distance). d = 0 is the true key.
  double accuracy_at_distance(int d, std::mt19937_64& rng);
  // Accuracy with only secret bit i wrong (periodic: i = r*C + c; expanded:
  // master-key bit i).
  double accuracy_with_bit_flipped(int i);
  // Accuracy with only bit (r, c) wrong (periodic keys).
  double accuracy_with_bit_flipped(int r, int c);
  int secret_bits() const;   // R*C (periodic) or 80 (expanded master key)
  KeyMode key_mode() const;
  int64_t evaluation_images() const;
  int64_t forward_passes() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace keymac
