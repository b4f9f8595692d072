// The SystemC backend against independent references: keyed_gemm / the
// functional backend, a plain GEMM of the unlocked weights, the closed-form
// cycle count; memory stalls; several backends in one process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "host/backend/array_backend.h"
#include "host/backend/functional_backend.h"
#include "host/backend/memory_config.h"
#include "host/backend/systemc_backend.h"
#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

struct Layer {
  GemmShape s;
  std::vector<int8_t> x, w;
};

Layer random_layer(std::mt19937_64& rng, int64_t mmax, int64_t kmax, int64_t nmax) {
  Layer l;
  l.s = GemmShape{1 + int64_t(rng() % mmax), 1 + int64_t(rng() % kmax), 1 + int64_t(rng() % nmax)};
  l.x = test::random_s8(size_t(l.s.m * l.s.k), rng, -128, 127, 0.3);
  l.w = test::random_s8(size_t(l.s.k * l.s.n), rng, -127, 127);
  return l;
}

LayerStats run(ArrayBackend& b, const Layer& l, const std::vector<int8_t>& w, std::vector<int32_t>& y) {
  y.assign(size_t(l.s.m * l.s.n), 0x5a5a5a5a);
  return b.run_gemm(GemmJob{"layer", l.s, l.x.data(), w.data()}, y.data());
}

TEST(SystemcBackendTest, RandomLayersGeometriesAndKeysMatchFunctionalAndClosedForm) {
  std::mt19937_64 rng(11);
  BackendOptions opt;  // ideal memory
  for (int it = 0; it < 40; ++it) {
    const Geometry g = it == 0 ? Geometry::make(1, 1)
                               : Geometry::make(1 + int(rng() % 32), 1 + int(rng() % 32));
    const Key key = Key::seeded_random(g, rng());
    auto sc = make_backend("systemc", g, opt);
    auto fn = make_backend("functional", g, opt);
    SerialKeySource ks(key);
    const bool plain = it % 5 == 4;
    sc->reset(plain ? nullptr : &ks);
    fn->reset(plain ? nullptr : &ks);
    for (int l = 0; l < 2; ++l) {
      Layer layer = random_layer(rng, 80, 100, 90);
      auto locked = layer.w;
      lock_weights(locked.data(), layer.s.k, layer.s.n, key);
      std::vector<int32_t> ys, yf;
      const LayerStats st = run(*sc, layer, locked, ys);
      run(*fn, layer, locked, yf);
      ASSERT_EQ(ys, yf) << g.str();
      if (!plain) {
        ASSERT_EQ(ys, test::plain_gemm(layer.x, layer.w, layer.s.m, layer.s.k, layer.s.n));
      }
      ASSERT_EQ(int64_t(st.cycles),
                test::closed_form_cycles(layer.s.m, layer.s.k, layer.s.n, g.rows, g.cols));
      ASSERT_EQ(st.stall_cycles, 0u);
      ASSERT_EQ(st.macs, uint64_t(layer.s.m * layer.s.k * layer.s.n));
    }
    auto* scb = dynamic_cast<SystemcBackend*>(sc.get());
    ASSERT_NE(scb, nullptr);
    EXPECT_EQ(scb->key_load_cycles(), plain ? 0u : uint64_t(g.pes()));
    EXPECT_EQ(scb->key_sealed(), !plain);
    EXPECT_FALSE(scb->key_error());
  }
}

TEST(SystemcBackendTest, WrongKeyAndPlainArrayGiveDifferentResults) {
  std::mt19937_64 rng(12);
  const Geometry g = Geometry::make(8, 8);
  const Key key = Key::seeded_random(g, 1);
  Key wrong = key;
  wrong.flip(3, 5);
  Layer l;
  l.s = GemmShape{32, 64, 64};
  l.x = test::random_s8(size_t(l.s.m * l.s.k), rng, 1, 127);
  l.w = test::random_s8(size_t(l.s.k * l.s.n), rng, 1, 127);
  auto locked = l.w;
  lock_weights(locked.data(), l.s.k, l.s.n, key);
  SystemcBackend right(g, {}), bad(g, {}), plain(g, {});
  SerialKeySource ks(key), kw(wrong);
  right.reset(&ks);
  bad.reset(&kw);
  plain.reset(nullptr);
  std::vector<int32_t> yr, yw, yp;
  run(right, l, locked, yr);
  run(bad, l, locked, yw);
  run(plain, l, locked, yp);
  EXPECT_EQ(yr, test::plain_gemm(l.x, l.w, l.s.m, l.s.k, l.s.n));
  EXPECT_NE(yw, yr);
  EXPECT_NE(yp, yr);
}

TEST(SystemcBackendTest, SeveralBackendsOfDifferentGeometriesAndMemoriesShareOneProcess) {
  std::mt19937_64 rng(13);
  BackendOptions ideal, tight;
  tight.memory.ideal = false;
  tight.memory.dram_bytes_per_cycle = 2;
  tight.memory.dram_latency_cycles = 30;
  tight.memory.weight_sram_kib = 1;
  tight.memory.input_sram_kib = 1;
  tight.memory.accum_sram_kib = 4;
  std::vector<std::unique_ptr<ArrayBackend>> bs;
  bs.push_back(make_backend("systemc", Geometry::make(16, 16), ideal));
  bs.push_back(make_backend("systemc", Geometry::make(4, 8), tight));
  bs.push_back(make_backend("systemc", Geometry::make(16, 16), tight));
  bs.push_back(make_backend("systemc", Geometry::make(7, 3), ideal));
  for (auto& b : bs) {
    Key k = Key::seeded_random(b->geometry(), rng());
    SerialKeySource ks(k);
    b->reset(&ks);
  }
  // Interleave: every backend keeps its own key, geometry and memory.
  for (int round = 0; round < 3; ++round)
    for (auto& b : bs) {
      Layer l = random_layer(rng, 70, 60, 50);
      std::vector<int32_t> y;
      const LayerStats st = run(*b, l, l.w, y);
      ASSERT_EQ(st.cycles - st.stall_cycles,
                uint64_t(test::closed_form_cycles(l.s.m, l.s.k, l.s.n, b->geometry().rows,
                                                  b->geometry().cols)));
      ASSERT_GT(st.counters.at("dram.read_bytes"), 0u);
      ASSERT_EQ(y.size(), size_t(l.s.m * l.s.n));
    }
  // Reset with a new key and check results against keyed_gemm on every backend.
  for (auto& b : bs) {
    Key k = Key::seeded_random(b->geometry(), rng());
    SerialKeySource ks(k);
    b->reset(&ks);
    Layer l = random_layer(rng, 50, 50, 50);
    std::vector<int32_t> y, ref(size_t(l.s.m * l.s.n));
    run(*b, l, l.w, y);
    keyed_gemm(l.x.data(), l.w.data(), l.s, b->geometry(), &k, ref.data());
    ASSERT_EQ(y, ref) << b->geometry().str();
  }
}

TEST(SystemcBackendTest, LimitedBandwidthAddsStallsThatGrowAsBandwidthFallsResultsUnchanged) {
  std::mt19937_64 rng(14);
  const Geometry g = Geometry::make(16, 16);
  Layer l;
  l.s = GemmShape{256, 300, 200};
  l.x = test::random_s8(size_t(l.s.m * l.s.k), rng);
  l.w = test::random_s8(size_t(l.s.k * l.s.n), rng, -127, 127);
  const Key key = Key::seeded_random(g, 5);
  SerialKeySource ks(key);
  std::vector<int32_t> ref(size_t(l.s.m * l.s.n));
  keyed_gemm(l.x.data(), l.w.data(), l.s, g, &key, ref.data());
  const uint64_t ideal = uint64_t(test::closed_form_cycles(256, 300, 200, 16, 16));
  uint64_t prev = 0;
  for (double bw : {64.0, 8.0, 2.0, 0.5}) {
    BackendOptions o;
    o.memory.ideal = false;
    o.memory.dram_bytes_per_cycle = bw;
    o.memory.dram_latency_cycles = 200;
    o.memory.input_sram_kib = 16;
    o.memory.accum_sram_kib = 16;
    SystemcBackend b(g, o);
    b.reset(&ks);
    std::vector<int32_t> y;
    const LayerStats st = run(b, l, l.w, y);
    ASSERT_EQ(y, ref) << "bw " << bw;
    EXPECT_EQ(st.cycles, ideal + st.stall_cycles);
    EXPECT_GT(st.stall_cycles, 0u) << "bw " << bw;  // at least the first fetch's latency
    EXPECT_GE(st.stall_cycles, prev) << "bw " << bw;
    prev = st.stall_cycles;
  }
  EXPECT_GT(prev, ideal);  // at half a byte per cycle the layer is memory bound
}

TEST(SystemcBackendTest, CountersAreNamedAndConsistent) {
  const Geometry g = Geometry::make(8, 4);
  SystemcBackend b(g, {});
  b.reset(nullptr);
  Layer l;
  l.s = GemmShape{20, 17, 9};  // Kt = 3, Nt = 3
  std::mt19937_64 rng(15);
  l.x = test::random_s8(size_t(l.s.m * l.s.k), rng);
  l.w = test::random_s8(size_t(l.s.k * l.s.n), rng, -127, 127);
  std::vector<int32_t> y;
  const LayerStats st = run(b, l, l.w, y);
  const auto& c = st.counters;
  EXPECT_EQ(c.at("array.act_rows"), 9u * 20);
  EXPECT_EQ(c.at("array.weight_rows"), 9u * 8);
  EXPECT_EQ(c.at("sram.input.reads"), 9u * 20);
  EXPECT_EQ(c.at("sram.accum.writes"), 9u * 20);
  EXPECT_EQ(c.at("dram.read_bytes"), uint64_t(17 * 9 + 20 * 17));  // W once, X once (fits)
  EXPECT_EQ(c.at("dram.write_bytes"), uint64_t(20 * 9 * 4));        // Y once
  for (const char* k : {"sram.weight.reads", "sram.weight.writes", "sram.input.writes",
                        "sram.accum.reads"})
    EXPECT_TRUE(c.count(k)) << k;
}

TEST(SystemcBackendTest, BadMemoryParametersAreRefusedWithAMessageNamingThem) {
  const Geometry g = Geometry::make(16, 16);
  auto msg = [&](MemoryOptions m) -> std::string {
    BackendOptions o;
    o.memory = m;
    try {
      make_backend("systemc", g, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  MemoryOptions m;
  m.dram_bytes_per_cycle = 0;
  EXPECT_NE(msg(m).find("dram_bytes_per_cycle"), std::string::npos);
  m.dram_bytes_per_cycle = -1;
  EXPECT_NE(msg(m).find("dram_bytes_per_cycle"), std::string::npos);
  m = MemoryOptions{};
  m.ideal = false;
  m.accum_sram_kib = 0;
  EXPECT_NE(msg(m).find("accum_sram_kib"), std::string::npos);
  m = MemoryOptions{};
  EXPECT_EQ(msg(m), "");

  using nlohmann::json;
  auto jmsg = [](const json& j) -> std::string {
    try {
      memory_options_from_json(j, "mem.json");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(jmsg(json{{"dram_bw", 3}}).find("unknown memory parameter 'dram_bw'"), std::string::npos);
  EXPECT_NE(jmsg(json{{"weight_sram_kib", -4}}).find("weight_sram_kib"), std::string::npos);
  EXPECT_NE(jmsg(json{{"ideal", "yes"}}).find("ideal"), std::string::npos);
  EXPECT_NE(jmsg(json::array()).find("mem.json"), std::string::npos);
  const MemoryOptions p = memory_options_from_json(
      json::parse(R"({"ideal": false, "dram_bytes_per_cycle": 2.5, "input_sram_kib": 8})"), "m");
  EXPECT_FALSE(p.ideal);
  EXPECT_EQ(p.dram_bytes_per_cycle, 2.5);
  EXPECT_EQ(p.input_sram_kib, 8u);
  EXPECT_EQ(p.weight_sram_kib, MemoryOptions{}.weight_sram_kib);  // default kept
  EXPECT_EQ(memory_options_from_json(memory_options_to_json(p), "rt").dram_bytes_per_cycle, 2.5);
}

TEST(SystemcBackendTest, CycleTimingEqualsFoldTimingResultsCyclesStallsAndCounters) {
  // --timing cycle: the cycle-stepped memory system and the register-level
  // array; --timing fold: the planner and the fold engine. Same layer, key and
  // memory: the same bits, cycles, stalls and counters; y also equals a plain
  // GEMM of the unlocked weights.
  std::mt19937_64 rng(16);
  for (int it = 0; it < 12; ++it) {
    const Geometry g = Geometry::make(1 + int(rng() % 12), 1 + int(rng() % 12));
    BackendOptions fo;
    fo.memory.ideal = it % 4 == 0;
    fo.memory.dram_bytes_per_cycle = 0.5 + double(rng() % 8);
    fo.memory.dram_latency_cycles = uint32_t(rng() % 200);
    fo.memory.weight_sram_kib = 1;
    fo.memory.input_sram_kib = 1;
    fo.memory.accum_sram_kib = 1;
    BackendOptions co = fo;
    co.timing = "cycle";
    SystemcBackend fold(g, fo), cyc(g, co);
    const Key key = Key::seeded_random(g, rng());
    SerialKeySource ks(key);
    fold.reset(&ks);
    cyc.reset(&ks);
    for (int l = 0; l < 2; ++l) {
      Layer layer = random_layer(rng, 60, 50, 40);
      auto locked = layer.w;
      lock_weights(locked.data(), layer.s.k, layer.s.n, key);
      std::vector<int32_t> yf, yc;
      const LayerStats sf = run(fold, layer, locked, yf);
      const LayerStats sc = run(cyc, layer, locked, yc);
      ASSERT_EQ(yc, test::plain_gemm(layer.x, layer.w, layer.s.m, layer.s.k, layer.s.n)) << g.str();
      ASSERT_EQ(yc, yf);
      ASSERT_EQ(sc.cycles, sf.cycles) << g.str();
      ASSERT_EQ(sc.stall_cycles, sf.stall_cycles) << g.str();
      ASSERT_EQ(sc.counters, sf.counters) << g.str();
    }
    EXPECT_EQ(cyc.total_cycles(), fold.total_cycles());
    EXPECT_TRUE(cyc.key_sealed());
  }
  EXPECT_THROW(SystemcBackend(Geometry::make(2, 2), [] { BackendOptions o; o.timing = "exact"; return o; }()), Error);
}

TEST(SystemcBackendTest, RunBeforeResetIsAnError) {
  SystemcBackend b(Geometry::make(2, 2), {});
  Layer l;
  l.s = GemmShape{1, 1, 1};
  l.x = {1};
  l.w = {1};
  std::vector<int32_t> y;
  EXPECT_THROW(run(b, l, l.w, y), Error);
}

}  // namespace
}  // namespace keymac
