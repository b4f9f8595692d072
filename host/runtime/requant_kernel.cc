#include "host/runtime/requant_kernel.h"

#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#define KEYMAC_REQUANT_AVX2 1
#include <immintrin.h>
#endif

namespace keymac {

namespace {

// apply_requant's terms per column, in plain arrays read through local
// pointers (int8 stores may alias anything reachable through memory).
struct Terms {
  std::vector<int64_t> mult, round, shift, bias;
  Terms(const RequantColumns& c, int64_t n)
      : mult(static_cast<size_t>(n)), round(mult.size()), shift(mult.size()), bias(mult.size()) {
    for (size_t j = 0; j < mult.size(); ++j) {
      mult[j] = c.requant[j].multiplier;
      round[j] = int64_t(1) << (c.requant[j].shift - 1);
      shift[j] = c.requant[j].shift;
      bias[j] = c.bias[j];
    }
  }
};

// One element: bias added with int32 wrap-around, then apply_requant.
inline int8_t requant_one(int32_t a, int64_t mult, int64_t round, int64_t shift, int64_t bias, int32_t lo) {
  const auto v = static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(bias));
  const int64_t r = (static_cast<int64_t>(v) * mult + round) >> shift;
  return static_cast<int8_t>(r < lo ? lo : (r > 127 ? 127 : r));
}

void portable(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n, const Terms& t, int32_t lo, int8_t* dst) {
  const int64_t *mult = t.mult.data(), *round = t.round.data(), *shift = t.shift.data(), *bias = t.bias.data();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < pixels; ++p) {
      const int32_t* row = acc + (b * pixels + p) * n;
      int8_t* out = dst + b * n * pixels + p;
      for (int64_t j = 0; j < n; ++j) out[j * pixels] = requant_one(row[j], mult[j], round[j], shift[j], bias[j], lo);
    }
}

#ifdef KEYMAC_REQUANT_AVX2

// (x * mult + round) >> shift on four int64 lanes holding sign-extended int32
// x in their low halves, arithmetic shift, clamped to [lo, 127].
__attribute__((target("avx2"))) inline __m256i requant4(__m256i x, __m256i mult, __m256i round, __m128i shift,
                                                       __m256i lo, __m256i hi) {
  const __m256i p = _mm256_add_epi64(_mm256_mul_epi32(x, mult), round);
  // Arithmetic shift from a logical one: floor(p / 2^s) = ~(~p >>> s) for p < 0.
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), p);
  __m256i r = _mm256_xor_si256(_mm256_srl_epi64(_mm256_xor_si256(p, sign), shift), sign);
  r = _mm256_blendv_epi8(r, hi, _mm256_cmpgt_epi64(r, hi));
  return _mm256_blendv_epi8(r, lo, _mm256_cmpgt_epi64(lo, r));
}

// Eight pixels of one column at a time: the accumulators are gathered down the
// column (stride n), requantized, and the eight bytes stored contiguously.
__attribute__((target("avx2"))) void avx2(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n,
                                         const Terms& t, int32_t lo, int8_t* dst) {
  const int64_t *mult = t.mult.data(), *round = t.round.data(), *shift = t.shift.data(), *bias = t.bias.data();
  const int32_t ni = static_cast<int32_t>(n);
  const __m256i idx = _mm256_setr_epi32(0, ni, 2 * ni, 3 * ni, 4 * ni, 5 * ni, 6 * ni, 7 * ni);
  const __m256i vlo = _mm256_set1_epi64x(lo), vhi = _mm256_set1_epi64x(127);
  const int64_t full = pixels / 8 * 8;
  for (int64_t b = 0; b < batch; ++b) {
    const int32_t* base = acc + b * pixels * n;
    int8_t* out_b = dst + b * n * pixels;
    for (int64_t j = 0; j < n; ++j) {
      const __m256i vbias = _mm256_set1_epi32(static_cast<int32_t>(bias[j]));
      const __m256i vm = _mm256_set1_epi64x(mult[j]), vr = _mm256_set1_epi64x(round[j]);
      const __m128i vs = _mm_cvtsi64_si128(shift[j]);
      int8_t* out = out_b + j * pixels;
      for (int64_t p = 0; p < full; p += 8) {
        const __m256i a = _mm256_i32gather_epi32(reinterpret_cast<const int*>(base + p * n + j), idx, 4);
        const __m256i v = _mm256_add_epi32(a, vbias);  // wraps like the accumulator
        const __m256i even = requant4(v, vm, vr, vs, vlo, vhi);
        const __m256i odd = requant4(_mm256_srli_epi64(v, 32), vm, vr, vs, vlo, vhi);
        // Low dword of each even / odd qword back into lanes 0..7, then to bytes.
        const __m256i r = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
        const __m256i b16 = _mm256_packs_epi32(r, r);
        const __m256i b8 = _mm256_packs_epi16(b16, b16);
        const int32_t lo4 = _mm_cvtsi128_si32(_mm256_castsi256_si128(b8));
        const int32_t hi4 = _mm_cvtsi128_si32(_mm256_extracti128_si256(b8, 1));
        std::memcpy(out + p, &lo4, 4);
        std::memcpy(out + p + 4, &hi4, 4);
      }
      for (int64_t p = full; p < pixels; ++p)
        out[p] = requant_one(base[p * n + j], mult[j], round[j], shift[j], bias[j], lo);
    }
  }
}

bool avx2_available() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

#endif

}  // namespace

void requantize_to_nchw_portable(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n,
                                 const RequantColumns& cols, int8_t* dst) {
  portable(acc, batch, pixels, n, Terms(cols, n), cols.lo, dst);
}

void requantize_to_nchw(const int32_t* acc, int64_t batch, int64_t pixels, int64_t n, const RequantColumns& cols,
                        int8_t* dst) {
  const Terms t(cols, n);
#ifdef KEYMAC_REQUANT_AVX2
  // Gathers need the column offsets 7n in int32; one-pixel layers (Gemm) gain nothing.
  if (pixels >= 8 && n <= (int64_t{1} << 27) && avx2_available()) return avx2(acc, batch, pixels, n, t, cols.lo, dst);
#endif
  portable(acc, batch, pixels, n, t, cols.lo, dst);
}

}  // namespace keymac
