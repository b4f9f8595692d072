// Helpers shared by attacks: the attacker's loss on its labelled images, and
// which weight rows of a layer are spatial neighbours (the structure the
// correlation attacks exploit). They use only public inputs (the locked
// model, the attacker's data, candidate keys).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"
#include "host/security/oracle.h"
#include "sim/core/key.h"

namespace keymac {

// Mean cross-entropy (nats) of batch x classes scores (logits) against labels.
double cross_entropy(const std::vector<float>& scores, const uint8_t* labels, int64_t count, int64_t classes);
// Mean cross-entropy of the locked model with `candidate` on the first `count` labelled images.
double labelled_loss(const CandidateEvaluator& ev, const Key& candidate, const ImageSet& data, int64_t count);

// {C, H, W} of the image a Gemm/Conv layer's K index runs over, if it has one:
// a Conv's kernel window (Cin, kh, kw); a Gemm fed (through Reshapes) by an
// image-shaped tensor, or by the model's 784-pixel input (1, 28, 28).
std::optional<std::array<int64_t, 3>> k_space(const QuantModel& m, size_t layer);
// Pairs (k1, k2), k1 < k2, of K indices that are neighbours in k_space()
// (empty if the layer has none), with the offset type: 0 horizontal,
// 1 vertical, 2 and 3 diagonal, 4 and 5 two apart horizontally / vertically.
struct NeighbourPair {
  int64_t k1, k2;
  int type;
};
constexpr int kNeighbourTypes = 6;
std::vector<NeighbourPair> neighbour_pairs(const QuantModel& m, size_t layer);

}  // namespace keymac
