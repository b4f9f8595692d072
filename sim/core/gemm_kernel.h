// The int8 x int16 GEMM kernels behind keyed_gemm (the functional model of
// the array's MACs and accumulators).
// Contract: every kernel here writes, for every m < M, n < N,
//   Y[m][n] = sum_k X[m][k] * Ws[k][n]   (mod 2^32, as int32 bits)
// with X M x K int8, Ws K x N int16 holding values in [-128, 128] (signed
// int8 weights, possibly negated by the key), Y M x N int32, all row-major,
// Y overwritten. Every product fits in 16 bits plus sign and each pair of
// products in int32, so any summation order gives the same bits; the kernels
// differ only in speed:
//  * gemm_s8_s16_portable: one output row at a time, zero activations skipped.
//  * gemm_s8_s16_avx2: four rows by up to sixteen columns at a time, pairs of
//    k multiplied and added by vpmaddwd (x86-64 with AVX2 only; callable only
//    when gemm_avx2_available()).
// gemm_s8_s16 (keyed_gemm.h) picks the fastest kernel the CPU runs.
#pragma once
#include <cstdint>

namespace keymac {

void gemm_s8_s16_portable(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n, int32_t* y);

// True when this build has the AVX2 kernel and the CPU runs it.
bool gemm_avx2_available();
// Throws keymac::Error when !gemm_avx2_available().
void gemm_s8_s16_avx2(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n, int32_t* y);

}  // namespace keymac
