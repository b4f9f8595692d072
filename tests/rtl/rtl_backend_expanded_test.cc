// The RTL backend with an expanded key (ARCHITECTURE.md section 11) on the
// verilated KeyMode = 1 arrays: the right master key gives the plain GEMM of
// the unlocked weights (reference written here) on random shapes, in the
// closed-form cycles plus ceil(1152/C) per layer, equal to the functional and
// SystemC backends; a wrong master key does not; unbuilt geometries and
// traces are refused with one line.
#include <gtest/gtest.h>

#include <random>

#include "host/backend/array_backend.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

TEST(RtlBackendExpanded, RightMasterKeyGivesThePlainGemmInTheFunctionalBackendsCycles) {
  std::mt19937_64 rng(41);
  for (auto [r, c] : {std::pair<int, int>{4, 4}, {8, 8}, {8, 4}}) {
    const Geometry g = Geometry::make(r, c);
    const ExpandedKeySource key(g, MasterKey::seeded_random(rng()), rng());
    auto rtl = make_backend("rtl", g, BackendOptions{});
    auto fn = make_backend("functional", g, BackendOptions{});
    rtl->reset(&key);
    fn->reset(&key);
    for (int64_t layer = 0; layer < 3; ++layer) {
      const GemmShape s{1 + int64_t(rng() % 20), 1 + int64_t(rng() % 30), 1 + int64_t(rng() % 30)};
      auto x = test::random_s8(size_t(s.m * s.k), rng, -128, 127, 0.2);
      auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
      auto locked = w;
      lock_weights(locked.data(), s.k, s.n, key, layer);
      std::vector<int32_t> y(size_t(s.m * s.n)), yf(y.size());
      const LayerStats st = rtl->run_gemm(GemmJob{"l", s, x.data(), locked.data(), layer}, y.data());
      const LayerStats sf = fn->run_gemm(GemmJob{"l", s, x.data(), locked.data(), layer}, yf.data());
      ASSERT_EQ(y, test::plain_gemm(x, w, s.m, s.k, s.n)) << g.str() << " layer " << layer;
      EXPECT_EQ(st.cycles, uint64_t(test::closed_form_cycles(s.m, s.k, s.n, r, c) + (1152 + c - 1) / c));
      EXPECT_EQ(st.cycles, sf.cycles);
    }
  }
}

TEST(RtlBackendExpanded, OneWrongMasterKeyBitChangesMostOutputs) {
  std::mt19937_64 rng(42);
  const Geometry g = Geometry::make(8, 8);
  const MasterKey mk = MasterKey::seeded_random(7);
  MasterKey wrong_mk = mk;
  wrong_mk.flip(63);
  const ExpandedKeySource right(g, mk, 1), wrong(g, wrong_mk, 1);
  const GemmShape s{8, 32, 16};
  auto x = test::random_s8(size_t(s.m * s.k), rng, 1, 127);
  auto w = test::random_s8(size_t(s.k * s.n), rng, 1, 127);
  auto locked = w;
  lock_weights(locked.data(), s.k, s.n, right, 0);
  auto rtl = make_backend("rtl", g, BackendOptions{});
  rtl->reset(&wrong);
  std::vector<int32_t> y(size_t(s.m * s.n));
  rtl->run_gemm(GemmJob{"l", s, x.data(), locked.data(), 0}, y.data());
  const auto ref = test::plain_gemm(x, w, s.m, s.k, s.n);
  int differ = 0;
  for (size_t i = 0; i < y.size(); ++i) differ += y[i] != ref[i];
  EXPECT_GT(differ, int(y.size()) * 9 / 10);
}

std::string reset_error(Geometry g, const BackendOptions& o) {
  const ExpandedKeySource key(g, MasterKey::seeded_random(1), 2);
  try {
    make_backend("rtl", g, o)->reset(&key);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(RtlBackendExpanded, UnbuiltGeometriesAndTracesAreRefusedWithOneLine) {
  const std::string unbuilt = reset_error(Geometry::make(16, 16), BackendOptions{});
  EXPECT_NE(unbuilt.find("no verilated expanded-key RTL model for a 16x16 array"), std::string::npos) << unbuilt;
  EXPECT_EQ(unbuilt.find('\n'), std::string::npos);
  BackendOptions traced;
  traced.trace.vcd_path = "never_written.vcd";
  const std::string tr = reset_error(Geometry::make(4, 4), traced);
  EXPECT_NE(tr.find("--vcd"), std::string::npos) << tr;
}

}  // namespace
}  // namespace keymac
