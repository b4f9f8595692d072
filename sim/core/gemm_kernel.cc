#include "sim/core/gemm_kernel.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "sim/core/error.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define KEYMAC_GEMM_AVX2 1
#include <immintrin.h>
#endif

namespace keymac {

namespace {
// One output row y[i][0..n) += x[i][kk] * ws[kk][0..n) over kk. N > 0 fixes
// the row length at compile time (the compiler keeps the row in registers and
// unrolls it); N = 0 takes it from n. Unsigned accumulation: int32 wrap-around
// is defined behaviour this way.
template <int N>
void gemm_rows(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n, uint32_t* yu) {
  const int64_t len = N > 0 ? N : n;
  for (int64_t i = 0; i < m; ++i) {
    uint32_t row[N > 0 ? N : 1];
    uint32_t* acc = N > 0 ? row : yu + i * n;
    std::memset(acc, 0, static_cast<size_t>(len) * sizeof(uint32_t));
    const int8_t* xr = x + i * k;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int32_t a = xr[kk];
      if (a == 0) continue;
      const int16_t* wr = ws + kk * len;
      for (int64_t j = 0; j < len; ++j) acc[j] += static_cast<uint32_t>(a * wr[j]);
    }
    if (N > 0) std::memcpy(yu + i * n, row, static_cast<size_t>(len) * sizeof(uint32_t));
  }
}
}  // namespace

void gemm_s8_s16_portable(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n, int32_t* y) {
  auto* yu = reinterpret_cast<uint32_t*>(y);
  switch (n) {  // the narrow layers of small CNNs (channel counts) get a fixed-length row
    case 8: return gemm_rows<8>(x, ws, m, k, n, yu);
    case 10: return gemm_rows<10>(x, ws, m, k, n, yu);
    case 16: return gemm_rows<16>(x, ws, m, k, n, yu);
    case 32: return gemm_rows<32>(x, ws, m, k, n, yu);
    case 64: return gemm_rows<64>(x, ws, m, k, n, yu);
    default: return gemm_rows<0>(x, ws, m, k, n, yu);
  }
}

#ifdef KEYMAC_GEMM_AVX2

namespace {

constexpr int kRows = 4;   // output rows per block
constexpr int kLanes = 8;  // int32 columns per ymm register

// Ws as kLanes-column panels of k pairs: panel cb holds, for pair p and
// column c, Ws[2p][cb*8+c] and Ws[2p+1][cb*8+c] next to each other (zeros
// past k and n), so one vpmaddwd against a broadcast (x[2p], x[2p+1]) adds
// both products to each of the 8 columns.
std::vector<int16_t> pack_panels(const int16_t* ws, int64_t k, int64_t n, int64_t kp, int64_t panels) {
  std::vector<int16_t> wp(static_cast<size_t>(panels * kp * 2 * kLanes), 0);
  for (int64_t cb = 0; cb < panels; ++cb)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t c = 0; c < kLanes && cb * kLanes + c < n; ++c)
        wp[static_cast<size_t>(((cb * kp + kk / 2) * kLanes + c) * 2 + kk % 2)] = ws[kk * n + cb * kLanes + c];
  return wp;
}

// x row (int8, k values) -> int16, padded with a zero to 2*kp values.
__attribute__((target("avx2"))) void widen_row(const int8_t* x, int64_t k, int64_t kp, int16_t* out) {
  int64_t c = 0;
  for (; c + 16 <= k; c += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c),
                        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + c))));
  for (; c < k; ++c) out[c] = x[c];
  for (; c < 2 * kp; ++c) out[c] = 0;
}

// kRows rows x P panels of y: acc[r][q] = sum_p bcast(xb[r] pair p) .* panel q pair p.
template <int P>
__attribute__((target("avx2"))) void block(const int16_t* xb, int64_t kp, const int16_t* wp, int64_t panel_stride,
                                          int rows, int64_t n, int64_t col0, int32_t* y) {
  __m256i acc[kRows][P];
  for (int r = 0; r < kRows; ++r)
    for (int q = 0; q < P; ++q) acc[r][q] = _mm256_setzero_si256();
  for (int64_t p = 0; p < kp; ++p) {
    __m256i w[P];
    for (int q = 0; q < P; ++q)
      w[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + q * panel_stride + p * 2 * kLanes));
    for (int r = 0; r < kRows; ++r) {
      int32_t pair;
      std::memcpy(&pair, xb + r * 2 * kp + 2 * p, sizeof pair);
      const __m256i b = _mm256_set1_epi32(pair);
      for (int q = 0; q < P; ++q) acc[r][q] = _mm256_add_epi32(acc[r][q], _mm256_madd_epi16(b, w[q]));
    }
  }
  for (int r = 0; r < rows; ++r)
    for (int q = 0; q < P; ++q) {
      const int64_t c0 = col0 + q * kLanes, cv = std::min<int64_t>(kLanes, n - c0);
      int32_t* dst = y + r * n + c0;
      if (cv == kLanes) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), acc[r][q]);
      } else {
        alignas(32) int32_t tmp[kLanes];
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc[r][q]);
        std::memcpy(dst, tmp, static_cast<size_t>(cv) * sizeof(int32_t));
      }
    }
}

}  // namespace

bool gemm_avx2_available() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

__attribute__((target("avx2"))) void gemm_s8_s16_avx2(const int8_t* x, const int16_t* ws, int64_t m, int64_t k,
                                                     int64_t n, int32_t* y) {
  if (!gemm_avx2_available()) throw Error("gemm: the AVX2 kernel called on a CPU without AVX2");
  if (m <= 0 || n <= 0) return;
  const int64_t kp = (k + 1) / 2, panels = (n + kLanes - 1) / kLanes;
  const std::vector<int16_t> wp = pack_panels(ws, k, n, kp, panels);
  const int64_t panel_stride = kp * 2 * kLanes;
  std::vector<int16_t> xb(static_cast<size_t>(kRows * 2 * kp), 0);
  for (int64_t i = 0; i < m; i += kRows) {
    const int rows = static_cast<int>(std::min<int64_t>(kRows, m - i));
    for (int r = 0; r < rows; ++r) widen_row(x + (i + r) * k, k, kp, xb.data() + r * 2 * kp);
    if (rows < kRows) std::fill(xb.begin() + rows * 2 * kp, xb.end(), int16_t(0));
    int64_t cb = 0;
    for (; cb + 2 <= panels; cb += 2)
      block<2>(xb.data(), kp, wp.data() + cb * panel_stride, panel_stride, rows, n, cb * kLanes, y + i * n);
    if (cb < panels) block<1>(xb.data(), kp, wp.data() + cb * panel_stride, panel_stride, rows, n, cb * kLanes, y + i * n);
  }
}

#else

bool gemm_avx2_available() { return false; }

void gemm_s8_s16_avx2(const int8_t*, const int16_t*, int64_t, int64_t, int64_t, int32_t*) {
  throw Error("gemm: this build has no AVX2 kernel");
}

#endif

}  // namespace keymac
