// The bit-exact functional model of the keyed array (ARCHITECTURE.md 2-4, 6).
// Contract: keyed_gemm() returns, for every m, n,
//   Y[m][n] = sum_k (-1)^key[k mod R][n mod C] * W[k][n] * X[m][k]   (mod 2^32)
// with key == nullptr meaning a plain array (all key bits 0). X is M x K,
// W is K x N, Y is M x N, all row-major. The result is the same bits the
// SystemC model and the RTL produce; timing comes from Schedule.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/geometry.h"
#include "sim/core/key.h"
#include "sim/core/schedule.h"

namespace keymac {

// Signs the weights as the PEs will apply them: Ws[k][n] = (-1)^key * W[k][n].
std::vector<int16_t> effective_weights(const int8_t* w, int64_t k, int64_t n, Geometry g,
                                       const Key* key);

// Y = X * Ws (int32, wrap-around), by the fastest kernel of gemm_kernel.h
// this CPU runs (all give the same bits).
void gemm_s8_s16(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n,
                 int32_t* y);

void keyed_gemm(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const Key* key,
                int32_t* y);

// Locks (or, being an involution, unlocks) a K x N weight matrix in place:
// W[k][n] *= (-1)^key[k mod R][n mod C]. Weights must be in [-127, 127].
void lock_weights(int8_t* w, int64_t k, int64_t n, const Key& key);

// --- Any key mode (ARCHITECTURE.md section 11), through the KeySource protocol.
// The key bit every weight of GEMM layer `layer` meets, K x N row-major:
//   bits[k][n] = kbit(layer, f, k mod R, n mod C),  f = (n / C) * ceil(K / R) + k / R.
// For a periodic source this is key[k mod R][n mod C] (the section 4 map).
std::vector<uint8_t> weight_key_bits(const KeySource& key, int64_t layer, int64_t k, int64_t n);
// Ws[k][n] = (-1)^bits[k][n] * W[k][n]; key == nullptr: a plain array.
std::vector<int16_t> effective_weights(const int8_t* w, int64_t k, int64_t n, const KeySource* key, int64_t layer);
void keyed_gemm(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const KeySource* key,
                int64_t layer, int32_t* y);
// W[k][n] *= (-1)^bits[k][n] in place (an involution for a given source).
void lock_weights(int8_t* w, int64_t k, int64_t n, const KeySource& key, int64_t layer);
// Re-keys a locked layer from source `from` to source `to` in one sign flip
// per weight, by bits_from XOR bits_to: the unlocked weights never exist.
void relock_weights(int8_t* w, int64_t k, int64_t n, const KeySource& from, const KeySource& to, int64_t layer);

}  // namespace keymac
