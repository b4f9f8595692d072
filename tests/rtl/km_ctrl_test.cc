// km_ctrl (verilated) against the C++ Sequencer of sim/core driven by the
// ideal-memory plan (MemorySystem(g, MemoryConfig{}).plan(shape)), i.e.
// docs/ARCHITECTURE.md section 8: every output of every cycle, the done
// cycle against Schedule::cycles() - 1, the definition of layer cycle 0,
// back-to-back layers, starts while busy, and km_ctrl driving the verilated
// km_array through a whole GEMM.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vkm_ctrl_1x1.h"
#include "Vkm_ctrl_2x3.h"
#include "Vkm_ctrl_8x4.h"
#include "rtl_models.h"
#include "sim/core/array_ports.h"
#include "sim/core/geometry.h"
#include "sim/core/memory_system.h"
#include "sim/core/schedule.h"
#include "sim/core/sequencer.h"
#include "verilated.h"

namespace keymac::rtl {
namespace {

// Every output of km_ctrl in one cycle.
struct CtrlOut {
  bool busy = false, done = false;
  bool w_valid = false, w_bank = false;
  uint32_t w_row = 0, w_kt = 0, w_nt = 0;
  bool a_valid = false, a_bank = false;
  uint32_t a_m = 0, a_kt = 0;
  bool out_valid = false, out_first = false, out_last = false;
  uint32_t out_m = 0, out_nt = 0;

  bool operator==(const CtrlOut& o) const {
    return busy == o.busy && done == o.done && w_valid == o.w_valid && w_bank == o.w_bank &&
           w_row == o.w_row && w_kt == o.w_kt && w_nt == o.w_nt && a_valid == o.a_valid &&
           a_bank == o.a_bank && a_m == o.a_m && a_kt == o.a_kt && out_valid == o.out_valid &&
           out_first == o.out_first && out_last == o.out_last && out_m == o.out_m && out_nt == o.out_nt;
  }
};

std::string str(const CtrlOut& o) {
  std::ostringstream s;
  s << "busy=" << o.busy << " done=" << o.done << " | w " << o.w_valid << " row=" << o.w_row
    << " bank=" << o.w_bank << " kt=" << o.w_kt << " nt=" << o.w_nt << " | a " << o.a_valid
    << " bank=" << o.a_bank << " m=" << o.a_m << " kt=" << o.a_kt << " | out " << o.out_valid
    << " m=" << o.out_m << " nt=" << o.out_nt << " first=" << o.out_first << " last=" << o.out_last;
  return s.str();
}

// A verilated km_ctrl. step() is one clock cycle: the outputs read before it
// are those of the current cycle, the inputs set before it are sampled at its
// rising edge.
class Ctrl {
 public:
  virtual ~Ctrl() = default;
  virtual int rows() const = 0;
  virtual int cols() const = 0;
  virtual void set_start(bool start, uint32_t m, uint32_t k, uint32_t n) = 0;
  virtual CtrlOut out() = 0;
  virtual void step() = 0;
  virtual void reset() = 0;
};

template <class V>
class VerilatedCtrl final : public Ctrl {
 public:
  VerilatedCtrl(int rows, int cols) : rows_(rows), cols_(cols), ctx_(std::make_unique<VerilatedContext>()) {
    top_ = std::make_unique<V>(ctx_.get(), "km_ctrl");
    top_->clk_i = 0;
    top_->rst_ni = 1;
    set_start(false, 0, 0, 0);
    top_->eval();
    reset();
  }
  ~VerilatedCtrl() override { top_->final(); }
  int rows() const override { return rows_; }
  int cols() const override { return cols_; }
  void set_start(bool start, uint32_t m, uint32_t k, uint32_t n) override {
    top_->start_i = start;
    top_->m_i = static_cast<uint16_t>(m);
    top_->k_i = static_cast<uint16_t>(k);
    top_->n_i = static_cast<uint16_t>(n);
  }
  CtrlOut out() override {
    top_->eval();
    CtrlOut o;
    o.busy = top_->busy_o;
    o.done = top_->done_o;
    o.w_valid = top_->w_valid_o;
    o.w_row = top_->w_row_o;
    o.w_bank = top_->w_bank_o;
    o.w_kt = top_->w_kt_o;
    o.w_nt = top_->w_nt_o;
    o.a_valid = top_->a_valid_o;
    o.a_bank = top_->a_bank_o;
    o.a_m = top_->a_m_o;
    o.a_kt = top_->a_kt_o;
    o.out_valid = top_->out_valid_o;
    o.out_m = top_->out_m_o;
    o.out_nt = top_->out_nt_o;
    o.out_first = top_->out_first_o;
    o.out_last = top_->out_last_o;
    return o;
  }
  void step() override {
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->eval();
  }
  void reset() override {
    top_->rst_ni = 0;
    step();
    top_->rst_ni = 1;
    top_->eval();
  }

 private:
  int rows_, cols_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
};

struct CtrlGeometry {
  int rows, cols;
};
void PrintTo(const CtrlGeometry& g, std::ostream* os) { *os << g.rows << "x" << g.cols; }

std::unique_ptr<Ctrl> make_ctrl(int rows, int cols) {
  if (rows == 1 && cols == 1) return std::make_unique<VerilatedCtrl<Vkm_ctrl_1x1>>(1, 1);
  if (rows == 2 && cols == 3) return std::make_unique<VerilatedCtrl<Vkm_ctrl_2x3>>(2, 3);
  if (rows == 8 && cols == 4) return std::make_unique<VerilatedCtrl<Vkm_ctrl_8x4>>(8, 4);
  return nullptr;
}

// One layer as the C++ side sees it: shape, random operands, the ideal plan
// and a Sequencer over them.
struct Layer {
  Geometry g;
  GemmShape shape;
  std::vector<int8_t> x, w;
  LayerPlan plan;
  std::unique_ptr<Sequencer> seq;
  int64_t kt_count = 0;
  int64_t cycles = 0;

  Layer(Geometry geo, GemmShape s, std::mt19937& rng) : g(geo), shape(s) {
    std::uniform_int_distribution<int> act(-128, 127), wgt(-127, 127);
    x.resize(static_cast<size_t>(s.m * s.k));
    w.resize(static_cast<size_t>(s.k * s.n));
    for (auto& v : x) v = static_cast<int8_t>(act(rng));
    for (auto& v : w) v = static_cast<int8_t>(wgt(rng));
    plan = MemorySystem(g, MemoryConfig{}).plan(shape);
    seq = std::make_unique<Sequencer>(GemmProblem{shape, x.data(), w.data(), g}, plan);
    const Schedule sch(shape, g);
    kt_count = sch.k_tiles();
    cycles = sch.cycles();
  }
  std::string name() const {
    std::ostringstream s;
    s << g.str() << " M=" << shape.m << " K=" << shape.k << " N=" << shape.n;
    return s.str();
  }

  // What km_ctrl must show in layer cycle t (t may lie past the end).
  CtrlOut expected(int64_t t) const {
    CtrlOut o;
    o.busy = t >= 0 && t < cycles;
    o.done = t == cycles - 1;
    ArrayInputs in;
    in.resize(g);
    seq->inputs(t, in);
    o.w_valid = in.w_valid;
    o.w_row = in.w_row;
    o.w_bank = in.w_bank;
    o.a_valid = in.a_valid;
    o.a_bank = in.a_bank;
    int64_t f = 0, r = 0, i = 0;
    if (seq->weight_row_at(t, f, r)) {
      o.w_kt = static_cast<uint32_t>(f % kt_count);
      o.w_nt = static_cast<uint32_t>(f / kt_count);
    }
    if (seq->activation_at(t, f, i)) {
      o.a_m = static_cast<uint32_t>(i);
      o.a_kt = static_cast<uint32_t>(f % kt_count);
    }
    if (seq->activation_at(t - (g.rows + g.cols - 1), f, i)) {
      o.out_valid = true;
      o.out_m = static_cast<uint32_t>(i);
      o.out_nt = static_cast<uint32_t>(f / kt_count);
      o.out_first = f % kt_count == 0;
      o.out_last = f % kt_count == kt_count - 1;
    }
    return o;
  }
};

GemmShape random_shape(std::mt19937& rng, int rows, int cols) {
  // M both below and above R; K, N mostly not multiples of R, C.
  std::uniform_int_distribution<int64_t> m(1, 2 * rows + 3), k(1, 3 * rows + 2), n(1, 3 * cols + 2);
  GemmShape s;
  s.m = m(rng);
  s.k = k(rng);
  s.n = n(rng);
  return s;
}

CtrlOut idle_out() { return CtrlOut{}; }

// Offers start in the current cycle (the accepting cycle) and steps into
// layer cycle 0. Checks that the accepting cycle itself still shows idle.
void start_layer(Ctrl& c, const Layer& l) {
  c.set_start(true, static_cast<uint32_t>(l.shape.m), static_cast<uint32_t>(l.shape.k),
              static_cast<uint32_t>(l.shape.n));
  EXPECT_TRUE(c.out() == idle_out()) << "accepting cycle must be idle: " << str(c.out());
  c.step();
  c.set_start(false, 0, 0, 0);
}

// Runs layer cycles 0 .. cycles()-1 comparing every output; returns the
// layer cycle in which done_o was seen (-1 if never). With poke_start, start_i
// is raised with other sizes in random cycles: it must be ignored.
int64_t run_and_compare(Ctrl& c, const Layer& l, std::mt19937& rng, bool poke_start, int* mismatches) {
  int64_t done_at = -1;
  std::bernoulli_distribution poke(0.2);
  for (int64_t t = 0; t < l.cycles; ++t) {
    if (poke_start && poke(rng))
      c.set_start(true, static_cast<uint32_t>(l.shape.m + 1), 1, static_cast<uint32_t>(l.shape.n + 3));
    else
      c.set_start(false, 0, 0, 0);
    const CtrlOut got = c.out();
    const CtrlOut want = l.expected(t);
    if (!(got == want) && ++*mismatches <= 5)
      ADD_FAILURE() << l.name() << " layer cycle " << t << "\n  got  " << str(got) << "\n  want " << str(want);
    if (got.done) done_at = t;
    c.step();
  }
  c.set_start(false, 0, 0, 0);
  return done_at;
}

class KmCtrl : public ::testing::TestWithParam<CtrlGeometry> {
 protected:
  std::unique_ptr<Ctrl> make() {
    auto c = make_ctrl(GetParam().rows, GetParam().cols);
    if (!c) throw std::runtime_error("no verilated km_ctrl for this geometry");
    return c;
  }
  Geometry geometry() const { return Geometry::make(GetParam().rows, GetParam().cols); }
};

TEST_P(KmCtrl, EveryCycleMatchesSequencerOnIdealPlan) {
  const Geometry g = geometry();
  std::mt19937 rng(100 + g.rows * 31 + g.cols);
  auto c = make();
  int mismatches = 0;
  for (int trial = 0; trial < 150 && mismatches == 0; ++trial) {
    const Layer l(g, random_shape(rng, g.rows, g.cols), rng);
    // a few idle cycles first: nothing moves before a start
    const int idle = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int j = 0; j < idle; ++j) {
      EXPECT_TRUE(c->out() == idle_out()) << str(c->out());
      c->step();
    }
    start_layer(*c, l);
    const int64_t done_at = run_and_compare(*c, l, rng, trial % 3 == 0, &mismatches);
    EXPECT_EQ(done_at, Schedule(l.shape, g).cycles() - 1) << l.name();
    // after the layer everything is idle again
    for (int j = 0; j < 3; ++j) {
      EXPECT_TRUE(c->out() == idle_out()) << l.name() << " after the layer: " << str(c->out());
      c->step();
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(KmCtrl, ShapesAtTheEdges) {
  // exact multiples, single tiles, M = 1, M = R, M = R + 1, K = 1, N = 1
  const Geometry g = geometry();
  const int64_t R = g.rows, C = g.cols;
  std::mt19937 rng(200 + g.rows * 31 + g.cols);
  auto c = make();
  int mismatches = 0;
  for (const GemmShape s : {GemmShape{1, 1, 1}, GemmShape{R, R, C}, GemmShape{R + 1, 2 * R, 2 * C},
                            GemmShape{1, 3 * R, 1}, GemmShape{1, 1, 3 * C}, GemmShape{R - 1 + 1, R + 1, C + 1},
                            GemmShape{4 * R + 5, 2 * R + 1, 3 * C}, GemmShape{R > 1 ? R - 1 : 1, 2 * R, 2 * C}}) {
    const Layer l(g, s, rng);
    start_layer(*c, l);
    const int64_t done_at = run_and_compare(*c, l, rng, false, &mismatches);
    EXPECT_EQ(done_at, l.cycles - 1) << l.name();
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(KmCtrl, LayerCycleZeroIsTheCycleAfterTheAcceptingEdge) {
  // start_i high in cycle s (busy_o = 0): cycle s is idle, cycle s+1 writes
  // weight row 0 of fold 0 (W_0 = 0) and is busy.
  const Geometry g = geometry();
  std::mt19937 rng(300);
  auto c = make();
  for (int s = 0; s < 4; ++s) c->step();
  const Layer l(g, GemmShape{3, 2 * g.rows + 1, g.cols + 1}, rng);
  c->set_start(true, 3, static_cast<uint32_t>(l.shape.k), static_cast<uint32_t>(l.shape.n));
  const CtrlOut accepting = c->out();
  EXPECT_FALSE(accepting.busy);
  EXPECT_FALSE(accepting.w_valid);
  c->step();
  c->set_start(false, 0, 0, 0);
  const CtrlOut t0 = c->out();
  EXPECT_TRUE(t0.busy);
  EXPECT_TRUE(t0.w_valid);
  EXPECT_EQ(t0.w_row, 0u);
  EXPECT_FALSE(t0.w_bank);
  EXPECT_FALSE(t0.a_valid) << "S_0 = 1: no activation in layer cycle 0";
  c->step();
  EXPECT_TRUE(c->out().a_valid) << "S_0 = 1";
  EXPECT_EQ(c->out().a_m, 0u);
}

TEST_P(KmCtrl, SecondStartAfterDoneWorksAndStartWhileBusyIsIgnored) {
  const Geometry g = geometry();
  std::mt19937 rng(400 + g.rows);
  auto c = make();
  int mismatches = 0;
  for (int pair = 0; pair < 20; ++pair) {
    const Layer a(g, random_shape(rng, g.rows, g.cols), rng);
    const Layer b(g, random_shape(rng, g.rows, g.cols), rng);
    start_layer(*c, a);
    // start_i held high (with other sizes) through the whole first layer
    EXPECT_EQ(run_and_compare(*c, a, rng, true, &mismatches), a.cycles - 1) << a.name();
    // the cycle after done: idle again, and it accepts the next start at once
    start_layer(*c, b);
    EXPECT_EQ(run_and_compare(*c, b, rng, false, &mismatches), b.cycles - 1) << b.name();
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(KmCtrl, ResetAbortsALayer) {
  const Geometry g = geometry();
  std::mt19937 rng(500);
  auto c = make();
  const Layer l(g, GemmShape{5, 3 * g.rows, 2 * g.cols}, rng);
  start_layer(*c, l);
  for (int j = 0; j < 7; ++j) c->step();
  c->reset();
  EXPECT_TRUE(c->out() == idle_out()) << str(c->out());
  int mismatches = 0;
  start_layer(*c, l);
  EXPECT_EQ(run_and_compare(*c, l, rng, false, &mismatches), l.cycles - 1);
  EXPECT_EQ(mismatches, 0);
}

// km_ctrl drives the verilated km_array: the weight / activation buffers are
// read with its indices and Y is updated with its out_* indices; the result
// must be the plain GEMM (the array's key register is 0 after reset).
TEST_P(KmCtrl, DrivesKmArrayThroughWholeGemm) {
  const Geometry g = geometry();
  const int R = g.rows, C = g.cols;
  auto arr = make_rtl_array(R, C, true);
  ASSERT_NE(arr, nullptr);
  std::mt19937 rng(600 + R * 31 + C);
  auto c = make();
  for (int trial = 0; trial < 12; ++trial) {
    arr->reset();
    const Layer l(g, random_shape(rng, R, C), rng);
    const int64_t M = l.shape.m, K = l.shape.k, N = l.shape.n;
    std::vector<uint32_t> y(static_cast<size_t>(M * N), 0xdeadbeefu);  // first K-tile must overwrite
    std::vector<int8_t> wrow(static_cast<size_t>(C)), arow(static_cast<size_t>(R));
    start_layer(*c, l);
    int64_t t = 0;
    for (bool done = false; !done; ++t) {
      ASSERT_LT(t, l.cycles + 10) << l.name() << ": no done_o";
      const CtrlOut o = c->out();
      EXPECT_EQ(o.out_valid, arr->psum_valid()) << l.name() << " cycle " << t;
      if (o.out_valid && arr->psum_valid())
        for (int col = 0; col < C; ++col) {
          const int64_t j = int64_t{o.out_nt} * C + col;
          if (j >= N) continue;
          uint32_t& dst = y[static_cast<size_t>(o.out_m * N + j)];
          const auto v = static_cast<uint32_t>(arr->psum(col));
          dst = o.out_first ? v : dst + v;
        }
      for (int col = 0; col < C; ++col) {
        const int64_t q = int64_t{o.w_kt} * R + o.w_row, j = int64_t{o.w_nt} * C + col;
        wrow[static_cast<size_t>(col)] = (q < K && j < N) ? l.w[static_cast<size_t>(q * N + j)] : int8_t{0};
      }
      for (int r = 0; r < R; ++r) {
        const int64_t q = int64_t{o.a_kt} * R + r;
        arow[static_cast<size_t>(r)] = q < K ? l.x[static_cast<size_t>(o.a_m * K + q)] : int8_t{0};
      }
      arr->set_weights(o.w_valid, o.w_row, o.w_bank, wrow);
      arr->set_activations(o.a_valid, o.a_bank, arow);
      done = o.done;
      arr->step();
      c->step();
    }
    EXPECT_EQ(t, l.cycles) << l.name();
    std::vector<uint32_t> ref(static_cast<size_t>(M * N), 0);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j)
        for (int64_t q = 0; q < K; ++q)
          ref[static_cast<size_t>(i * N + j)] +=
              static_cast<uint32_t>(int32_t{l.x[static_cast<size_t>(i * K + q)]} * int32_t{l.w[static_cast<size_t>(q * N + j)]});
    EXPECT_EQ(y, ref) << l.name();
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, KmCtrl,
                         ::testing::Values(CtrlGeometry{1, 1}, CtrlGeometry{2, 3}, CtrlGeometry{8, 4}),
                         [](const ::testing::TestParamInfo<CtrlGeometry>& info) {
                           return std::to_string(info.param.rows) + "x" + std::to_string(info.param.cols);
                         });

}  // namespace
}  // namespace keymac::rtl
