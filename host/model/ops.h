// Element-type-generic tensor operations shared by the float reference
// executor and the int8 runtime, so both lower a layer identically.
// Layout: activations are [batch][C][H][W] (or [batch][F]) row-major.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "host/model/graph.h"

namespace keymac {

namespace detail {

// The im2col rows of one conv whose kernel rows are contiguous in the input
// (no horizontal dilation or upsampling). For each output row (b, oy) the
// c*kh kernel rows ("taps", in column order) point into the input or, in the
// padding, at a zero row, so every output row is a run of branch-free copies.
// KW > 0 fixes the kernel width at compile time: a tap is then one move of
// kWide >= KW elements (a power-of-two size), whose surplus lands on the next
// tap and is overwritten by it (the last tap of a row is copied exactly).
// Writes every element, so `out` need not be cleared.
template <typename T, int KW>
void im2col_rows_plain(const T* in, int64_t batch, int c, int h, int wd, const Window2d& w, T* out) {
  constexpr size_t kBytes = KW > 0 ? KW * sizeof(T) : 0;
  constexpr size_t kWideBytes = kBytes <= 1 ? kBytes : kBytes <= 2 ? 2 : kBytes <= 4 ? 4 : kBytes <= 8 ? 8 : 16;
  constexpr int kWide = KW > 0 && kBytes <= 16 ? static_cast<int>(kWideBytes / sizeof(T)) : KW;
  // Window fields in locals: stores through T* (char for int8) may alias `w`.
  const int kw = KW > 0 ? KW : w.kw, kh = w.kh, sh = w.sh, sw = w.sw, pt = w.pt, pl = w.pl, dh = w.dh, uh = w.uh;
  const int oh = w.out_h(h), ow = w.out_w(wd), vh = w.in_h(h);
  const int64_t k = static_cast<int64_t>(c) * kh * kw, plane = static_cast<int64_t>(h) * wd;
  const int taps = c * kh;
  const std::vector<T> zeros(static_cast<size_t>(wd + kWide), T(0));  // read at [0, wd + kWide)
  std::vector<const T*> tap(static_cast<size_t>(taps));
  T* row = out;
  for (int64_t b = 0; b < batch; ++b) {
    const T* src = in + b * c * plane;
    for (int oy = 0; oy < oh; ++oy) {
      for (int ci = 0; ci < c; ++ci)
        for (int y = 0; y < kh; ++y) {
          const int vy = oy * sh - pt + y * dh;
          const bool real = vy >= 0 && vy < vh && (uh == 1 || vy % uh == 0);
          tap[static_cast<size_t>(ci * kh + y)] = real ? src + ci * plane + static_cast<int64_t>(uh == 1 ? vy : vy / uh) * wd
                                                       : zeros.data();
        }
      const T* const* tp = tap.data();
      for (int ox = 0; ox < ow; ++ox, row += k) {
        const int vx0 = ox * sw - pl;
        const int x_lo = std::min(kw, std::max(0, -vx0)), x_hi = std::max(x_lo, std::min(kw, wd - vx0));
        T* dst = row;
        if (x_lo == 0 && x_hi == kw) {  // the window is inside the input horizontally
          int t = 0;
          if (kWide > kw && vx0 + kWide <= wd)
            for (; t + 1 < taps; ++t, dst += kw) std::memcpy(dst, tp[t] + vx0, kWideBytes);
          for (; t < taps; ++t, dst += kw) std::memcpy(dst, tp[t] + vx0, static_cast<size_t>(kw) * sizeof(T));
          continue;
        }
        for (int t = 0; t < taps; ++t, dst += kw) {
          std::fill(dst, dst + x_lo, T(0));
          if (x_hi > x_lo) std::memcpy(dst + x_lo, tp[t] + vx0 + x_lo, static_cast<size_t>(x_hi - x_lo) * sizeof(T));
          std::fill(dst + x_hi, dst + kw, T(0));
        }
      }
    }
  }
}

}  // namespace detail

// im2col for a batch: out is (B*OH*OW) x (Cin*kh*kw), row m = (b, oy, ox),
// column k = (cin*kh + y)*kw + x (ARCHITECTURE.md section 6); padding reads 0.
// Dilation spaces the kernel taps; upsampling (ConvTranspose) reads the input
// with uh-1 / uw-1 zeros inserted between its rows / columns.
template <typename T>
void im2col(const T* in, int64_t batch, const Shape& in_shape, const Window2d& w, std::vector<T>& out) {
  const int c = static_cast<int>(in_shape[0]), h = static_cast<int>(in_shape[1]), wd = static_cast<int>(in_shape[2]);
  const int oh = w.out_h(h), ow = w.out_w(wd), vh = w.in_h(h), vw = w.in_w(wd);
  const int64_t k = static_cast<int64_t>(c) * w.kh * w.kw;
  const size_t size = static_cast<size_t>(batch * oh * ow * k);
  if (w.dw == 1 && w.uw == 1) {  // kernel rows contiguous in the input: every element written
    out.resize(size);
    switch (w.kw) {
      case 1: return detail::im2col_rows_plain<T, 1>(in, batch, c, h, wd, w, out.data());
      case 2: return detail::im2col_rows_plain<T, 2>(in, batch, c, h, wd, w, out.data());
      case 3: return detail::im2col_rows_plain<T, 3>(in, batch, c, h, wd, w, out.data());
      case 5: return detail::im2col_rows_plain<T, 5>(in, batch, c, h, wd, w, out.data());
      case 7: return detail::im2col_rows_plain<T, 7>(in, batch, c, h, wd, w, out.data());
      default: return detail::im2col_rows_plain<T, 0>(in, batch, c, h, wd, w, out.data());
    }
  }
  out.assign(size, T(0));
  for (int64_t b = 0; b < batch; ++b) {
    const T* src = in + b * c * h * wd;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        T* row = out.data() + ((b * oh + oy) * ow + ox) * k;
        const int vx0 = ox * w.sw - w.pl;
        for (int y = 0; y < w.kh; ++y) {
          const int vy = oy * w.sh - w.pt + y * w.dh;
          if (vy < 0 || vy >= vh || (w.uh != 1 && vy % w.uh)) continue;
          const int iy = w.uh == 1 ? vy : vy / w.uh;
          for (int ci = 0; ci < c; ++ci) {
            T* dst = row + (ci * w.kh + y) * w.kw;
            const T* s = src + (ci * h + iy) * wd;
            for (int x = 0; x < w.kw; ++x) {
              const int vx = vx0 + x * w.dw;
              if (vx < 0 || vx >= vw || (w.uw != 1 && vx % w.uw)) continue;
              dst[x] = s[w.uw == 1 ? vx : vx / w.uw];
            }
          }
        }
      }
  }
}

// (B*OH*OW) x N GEMM output -> [B][N][OH][OW].
template <typename T>
void rows_to_nchw(const T* rows, int64_t batch, int64_t n, int64_t pixels, T* out) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t j = 0; j < n; ++j) out[(b * n + j) * pixels + p] = rows[(b * pixels + p) * n + j];
}

// Applies `reduce(values, count, padded_count)` to the in-bounds inputs of
// every pooling window (padding is skipped, so it never counts in `count`);
// `padded_count` also counts the window's taps on the explicit padding (not
// the ceil_mode extension): AveragePool count_include_pad=1's divisor.
// Taps are spaced by the dilation (MaxPool dilations).
template <typename T, typename Reduce>
void pool2d(const T* in, int64_t batch, const Shape& s, const Window2d& w, T* out, Reduce reduce) {
  const int c = static_cast<int>(s[0]), h = static_cast<int>(s[1]), wd = static_cast<int>(s[2]);
  const int oh = w.out_h(h), ow = w.out_w(wd);
  const int h_end = h + w.pb - w.ceil_b, w_end = wd + w.pr - w.ceil_r;  // end of the explicitly padded input
  std::vector<T> vals(static_cast<size_t>(w.kh) * static_cast<size_t>(w.kw));
  for (int64_t b = 0; b < batch; ++b)
    for (int ci = 0; ci < c; ++ci) {
      const T* src = in + (b * c + ci) * h * wd;
      T* dst = out + (b * c + ci) * oh * ow;
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          int count = 0, ny = 0, nx = 0;
          for (int y = 0; y < w.kh; ++y) {
            const int iy = oy * w.sh - w.pt + y * w.dh;
            ny += iy < h_end;
            for (int x = 0; x < w.kw; ++x) {
              const int ix = ox * w.sw - w.pl + x * w.dw;
              if (y == 0) nx += ix < w_end;
              if (iy >= 0 && iy < h && ix >= 0 && ix < wd) vals[static_cast<size_t>(count++)] = src[iy * wd + ix];
            }
          }
          dst[oy * ow + ox] = reduce(vals.data(), count, ny * nx);
        }
    }
}

namespace detail {
// Max pool without padding (every window inside the input). KH, KW > 0 fix
// the window at compile time; 0 takes it from w.
template <typename T, int KH, int KW>
void max_pool_inside(const T* in, int64_t batch, const Shape& s, const Window2d& w, T* out) {
  // Fields in locals: stores through T* (char for int8) may alias `w` and `s`.
  const int c = static_cast<int>(s[0]), h = static_cast<int>(s[1]), wd = static_cast<int>(s[2]);
  const int kh = KH > 0 ? KH : w.kh, kw = KW > 0 ? KW : w.kw, sh = w.sh, sw = w.sw;
  const int oh = w.out_h(h), ow = w.out_w(wd);
  for (int64_t p = 0; p < batch * c; ++p) {
    const T* src = in + p * h * wd;
    T* dst = out + p * oh * ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const T* win = src + oy * sh * wd + ox * sw;
        T m = win[0];
        for (int y = 0; y < kh; ++y)
          for (int x = 0; x < kw; ++x) m = std::max(m, win[y * wd + x]);
        dst[oy * ow + ox] = m;
      }
  }
}
}  // namespace detail

template <typename T>
void max_pool(const T* in, int64_t batch, const Shape& s, const Window2d& w, T* out) {
  if (w.pt == 0 && w.pl == 0 && w.pb == 0 && w.pr == 0 && w.dh == 1 && w.dw == 1) {  // every window inside the input, dense
    if (w.kh == 2 && w.kw == 2) return detail::max_pool_inside<T, 2, 2>(in, batch, s, w, out);
    if (w.kh == 3 && w.kw == 3) return detail::max_pool_inside<T, 3, 3>(in, batch, s, w, out);
    return detail::max_pool_inside<T, 0, 0>(in, batch, s, w, out);
  }
  pool2d(in, batch, s, w, out, [](const T* v, int n, int) { return n ? *std::max_element(v, v + n) : T(0); });
}

// Average pool; `divide(sum, count)` maps the accumulated sum to the output
// element (float division or rounded integer division); count is the number
// of inputs in the window, or with w.count_pad also its explicit-padding taps.
template <typename T, typename Acc, typename Div>
void avg_pool(const T* in, int64_t batch, const Shape& s, const Window2d& w, T* out, Div divide) {
  pool2d(in, batch, s, w, out, [&](const T* v, int n, int padded) {
    Acc sum = 0;
    for (int i = 0; i < n; ++i) sum += v[i];
    return divide(sum, w.count_pad ? padded : n);
  });
}

}  // namespace keymac
