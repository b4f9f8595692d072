// im2col (host/model/ops.h) against its definition evaluated element by
// element here: row (b, oy, ox), column (ci, y, x) holds the input at
// upsampled position (oy*sh - pt + y*dh, ox*sw - pl + x*dw), or 0 in the
// padding and at the zeros that upsampling inserts. Random windows cover every
// kernel width the fast path specialises (1, 2, 3, 5, 7) and others, padding
// wider than the kernel, stride, dilation and upsampling; the output buffer
// starts poisoned (the fast path does not clear it).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "host/model/ops.h"

namespace keymac {
namespace {

template <typename T>
std::vector<T> by_definition(const std::vector<T>& in, int64_t batch, int c, int h, int wd, const Window2d& w) {
  const int oh = w.out_h(h), ow = w.out_w(wd), vh = w.in_h(h), vw = w.in_w(wd);
  std::vector<T> out;
  for (int64_t b = 0; b < batch; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ci = 0; ci < c; ++ci)
          for (int y = 0; y < w.kh; ++y)
            for (int x = 0; x < w.kw; ++x) {
              const int vy = oy * w.sh - w.pt + y * w.dh, vx = ox * w.sw - w.pl + x * w.dw;
              const bool real = vy >= 0 && vy < vh && vx >= 0 && vx < vw && vy % w.uh == 0 && vx % w.uw == 0;
              out.push_back(real ? in[static_cast<size_t>(((b * c + ci) * h + vy / w.uh) * wd + vx / w.uw)] : T(0));
            }
  return out;
}

template <typename T>
void check_random_windows(uint64_t seed, int cases) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int widths[] = {1, 2, 3, 4, 5, 7, 9};
  for (int t = 0; t < cases; ++t) {
    Window2d w;
    w.kh = pick(1, 5);
    w.kw = widths[pick(0, 6)];
    w.sh = pick(1, 3), w.sw = pick(1, 3);
    w.pt = pick(0, 4), w.pl = pick(0, 9), w.pb = pick(0, 4), w.pr = pick(0, 9);
    if (pick(0, 3) == 0) w.dh = pick(1, 3), w.dw = pick(1, 3);
    if (pick(0, 4) == 0) w.uh = pick(1, 3), w.uw = pick(1, 3);
    const int c = pick(1, 4), h = pick(1, 12), wd = pick(1, 12);
    const int64_t batch = pick(1, 3);
    if (w.out_h(h) < 1 || w.out_w(wd) < 1) continue;
    std::vector<T> in(static_cast<size_t>(batch * c * h * wd));
    for (auto& v : in) v = static_cast<T>(pick(-128, 127));
    std::vector<T> got(static_cast<size_t>(batch * c * w.out_h(h) * w.out_w(wd) * w.kh * w.kw), T(99));
    im2col(in.data(), batch, Shape{c, h, wd}, w, got);
    ASSERT_EQ(got, by_definition(in, batch, c, h, wd, w))
        << "k " << w.kh << "x" << w.kw << " s " << w.sh << "," << w.sw << " pad " << w.pt << "," << w.pl << ","
        << w.pb << "," << w.pr << " d " << w.dh << "," << w.dw << " u " << w.uh << "," << w.uw << " in " << c << "x"
        << h << "x" << wd;
  }
}

TEST(Im2col, Int8RowsEqualTheDefinitionForRandomWindows) { check_random_windows<int8_t>(3, 1500); }

TEST(Im2col, FloatRowsEqualTheDefinitionForRandomWindows) { check_random_windows<float>(4, 500); }

}  // namespace
}  // namespace keymac
