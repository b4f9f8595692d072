// Bias, requantization and ReLU of an array layer's int32 accumulators into
// int8 activations laid out NCHW (the int8 scheme of ARCHITECTURE.md 12).
// Contract: for rows r = (b, p) of the M x N accumulator matrix `acc`
// (M = batch * pixels) and every column j,
//   dst[(b*N + j)*pixels + p] = apply_requant(acc[r][j] + bias[j] (mod 2^32),
//                                             requant[j], lo, 127)
// exactly (quant_model.h); `requant` and `bias` hold N entries each. The AVX2
// path (x86-64 CPUs that run it) gives the same bytes as the portable one.
#pragma once
#include <cstdint>

#include "host/quant/quant_model.h"

namespace keymac {

struct RequantColumns {
  const Requant* requant = nullptr;  // N
  const int32_t* bias = nullptr;     // N
  int32_t lo = -128;                 // 0 with a fused ReLU
};

void requantize_to_nchw(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n, const RequantColumns& cols,
                        int8_t* dst);
// The portable path alone (for tests).
void requantize_to_nchw_portable(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n,
                                 const RequantColumns& cols, int8_t* dst);

}  // namespace keymac
