// KmAccel, the TLM-2.0 component, in SystemC platforms built in each test
// (one elaboration per process: ctest runs every test on its own). References
// are independent: a plain GEMM of the unlocked weights, the closed-form cycle
// count of ARCHITECTURE.md section 8 (tests/sim/test_util.h), and the clock
// period the platform chose.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"
#include "sim/model/km_accel.h"
#include "sim/model/km_accel_driver.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/km_memory.h"
#include "sim/model/km_router.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

using sc_core::sc_time;
using sc_core::SC_NS;

constexpr uint64_t kMemBase = 0, kMemSize = 16 << 20;
constexpr uint64_t kAccelBase = 0x40000000, kAccelStride = 0x1000;

// A host with one initiator socket per software thread, a router, a memory
// and the accelerators: host threads -> router -> {memory, accel regs...};
// accelerators' memory ports -> router.
struct Platform {
  struct Host : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Host> socket;
    explicit Host(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
  };
  std::unique_ptr<KmRouter> router;
  std::unique_ptr<KmMemory> memory;
  std::vector<std::unique_ptr<KmAccel>> accels;
  std::vector<std::unique_ptr<Host>> hosts;

  Platform(const std::vector<std::pair<Geometry, KmAccelConfig>>& specs, int host_threads) {
    router = std::make_unique<KmRouter>("bus");
    memory = std::make_unique<KmMemory>("dram", kMemSize);
    router->initiator.bind(memory->socket);
    router->map(kMemBase, kMemSize);
    for (size_t i = 0; i < specs.size(); ++i) {
      accels.push_back(std::make_unique<KmAccel>(("accel" + std::to_string(i)).c_str(),
                                                 specs[i].first, specs[i].second));
      router->initiator.bind(accels.back()->regs);
      router->map(kAccelBase + i * kAccelStride, km_reg::kSize);
      accels.back()->mem.bind(router->target);
    }
    for (int h = 0; h < host_threads; ++h) {
      hosts.push_back(std::make_unique<Host>(("cpu" + std::to_string(h)).c_str()));
      hosts.back()->socket.bind(router->target);
    }
  }
  KmAccelDriver driver(int host, size_t accel) {
    Host* h = hosts[static_cast<size_t>(host)].get();
    return KmAccelDriver([h](tlm::tlm_generic_payload& t, sc_time& d) { h->socket->b_transport(t, d); },
                         kAccelBase + accel * kAccelStride, *accels[accel]);
  }
  // Runs `body` as a thread; exceptions become test failures.
  static void spawn(std::function<void()> body) {
    sc_core::sc_spawn([body] {
      try {
        body();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
};

struct Job {
  GemmShape s;
  std::vector<int8_t> x, w, locked;
};

Job random_job(std::mt19937_64& rng, const Key& key, int64_t mmax, int64_t kmax, int64_t nmax) {
  Job j;
  j.s = GemmShape{1 + int64_t(rng() % mmax), 1 + int64_t(rng() % kmax), 1 + int64_t(rng() % nmax)};
  j.x = test::random_s8(size_t(j.s.m * j.s.k), rng, -128, 127, 0.2);
  j.w = test::random_s8(size_t(j.s.k * j.s.n), rng, -127, 127);
  j.locked = j.w;
  lock_weights(j.locked.data(), j.s.k, j.s.n, key);
  return j;
}

TEST(KmAccelTest, TwoInstancesOfDifferentGeometriesAndKeysRunConcurrentlyBitExactAndOnTime) {
  std::mt19937_64 rng(21);
  KmAccelConfig ca, cb;
  ca.clock_period = sc_time(10, SC_NS);  // 100 MHz
  cb.clock_period = sc_time(4, SC_NS);   // 250 MHz
  const Geometry ga = Geometry::make(8, 8), gb = Geometry::make(5, 12);
  // Loosely timed with a global quantum: each accelerator runs ahead up to
  // 300 ns between synchronisations; command boundaries stay exact.
  tlm::tlm_global_quantum::instance().set(sc_time(300, SC_NS));
  Platform p({{ga, ca}, {gb, cb}}, 2);
  const Key keys[2] = {Key::seeded_random(ga, 101), Key::seeded_random(gb, 202)};
  const sc_time periods[2] = {ca.clock_period, cb.clock_period};
  std::vector<Job> jobs[2];
  for (int a = 0; a < 2; ++a)
    for (int l = 0; l < 4; ++l) jobs[a].push_back(random_job(rng, keys[a], 90, 70, 60));
  std::vector<std::vector<int32_t>> results[2];
  sc_time key_done[2];
  for (int a = 0; a < 2; ++a) {
    Platform::spawn([&, a] {
      KmAccelDriver drv = p.driver(a, size_t(a));
      SerialKeySource ks(keys[a]);
      const sc_time t0 = sc_core::sc_time_stamp();
      drv.reset_and_load_key(&ks);
      key_done[a] = sc_core::sc_time_stamp() - t0;
      // Each accelerator has its own 4 MiB region of system memory.
      const uint64_t region = uint64_t(a) * (4 << 20);
      for (const Job& j : jobs[a]) {
        const KmDescriptor d{region, region + (1 << 20), region + (2 << 20), j.s};
        drv.write_mem(d.x, j.x.data(), j.x.size());
        drv.write_mem(d.w, j.locked.data(), j.locked.size());
        drv.run(d);
        std::vector<int32_t> y(size_t(j.s.m * j.s.n));
        drv.read_mem(d.y, y.data(), y.size() * 4);
        results[a].push_back(std::move(y));
      }
    });
  }
  sc_core::sc_start();
  for (int a = 0; a < 2; ++a) {
    const KmAccel& acc = *p.accels[size_t(a)];
    const Geometry g = acc.geometry();
    // The key load: R*C cycles of the serial port.
    EXPECT_EQ(key_done[a], double(g.pes()) * periods[a]) << acc.name();
    ASSERT_EQ(results[a].size(), jobs[a].size());
    ASSERT_EQ(acc.history().size(), jobs[a].size());
    for (size_t l = 0; l < jobs[a].size(); ++l) {
      const Job& j = jobs[a][l];
      EXPECT_EQ(results[a][l], test::plain_gemm(j.x, j.w, j.s.m, j.s.k, j.s.n)) << acc.name() << " layer " << l;
      const int64_t cyc = test::closed_form_cycles(j.s.m, j.s.k, j.s.n, g.rows, g.cols);
      const KmAccelRecord& r = acc.history()[l];
      EXPECT_EQ(int64_t(r.cycles), cyc);
      EXPECT_EQ(r.end - r.start, double(cyc) * periods[a]) << acc.name() << " layer " << l;
    }
  }
  // Concurrent: accel1's first layer started before accel0's last one ended, and vice versa.
  const auto& h0 = p.accels[0]->history();
  const auto& h1 = p.accels[1]->history();
  EXPECT_LT(h1.front().start, h0.back().end);
  EXPECT_LT(h0.front().start, h1.back().end);
}

TEST(KmAccelTest, RegistersIdentifyTheArrayCountCyclesAndNeverReadTheKeyBack) {
  const Geometry g = Geometry::make(3, 5);  // 15 key bits: one partial word
  KmAccelConfig c;
  Platform p({{g, c}}, 1);
  const Key key = Key::seeded_random(g, 7);
  std::mt19937_64 rng(22);
  const Job j = random_job(rng, key, 20, 9, 11);
  Platform::spawn([&] {
    KmAccelDriver d = p.driver(0, 0);
    EXPECT_EQ(d.read32(km_reg::kId), km_reg::kIdValue);
    EXPECT_EQ(d.read32(km_reg::kGeometry), 3u | (5u << 16));
    EXPECT_EQ(d.read32(km_reg::kStatus) & km_reg::kStatusKeySealed, 0u);
    SerialKeySource ks(key);
    d.reset_and_load_key(&ks);
    EXPECT_EQ(d.read32(km_reg::kKeyLoadCycles), 15u);
    EXPECT_EQ(d.read32(km_reg::kKeyData), 0u);  // write-only
    EXPECT_EQ(d.read32(km_reg::kStatus) & (km_reg::kStatusKeySealed | km_reg::kStatusKeyErr),
              km_reg::kStatusKeySealed);
    const KmDescriptor desc{0x1000, 0x2000, 0x3000, j.s};
    d.write_mem(desc.x, j.x.data(), j.x.size());
    d.write_mem(desc.w, j.locked.data(), j.locked.size());
    d.run(desc);
    d.run(desc);
    const uint64_t cyc = uint64_t(test::closed_form_cycles(j.s.m, j.s.k, j.s.n, 3, 5));
    EXPECT_EQ(d.read32(km_reg::kDoneCount), 2u);
    EXPECT_EQ(d.read64(km_reg::kLastCyclesLo), cyc);
    EXPECT_EQ(d.read64(km_reg::kCyclesLo), 2 * cyc);
    EXPECT_EQ(d.read64(km_reg::kStallsLo), 0u);
    EXPECT_EQ(d.read32(km_reg::kM), uint32_t(j.s.m));
    // A key bit after sealing: sticky KEY_ERR, the loaded key unchanged.
    d.write32(km_reg::kKeyData, 0xffffffff);
    EXPECT_NE(d.read32(km_reg::kStatus) & km_reg::kStatusKeyErr, 0u);
    d.run(desc);
    std::vector<int32_t> y(size_t(j.s.m * j.s.n));
    d.read_mem(desc.y, y.data(), y.size() * 4);
    EXPECT_EQ(y, test::plain_gemm(j.x, j.w, j.s.m, j.s.k, j.s.n));
    // Read-only registers refuse writes; unknown offsets and unaligned accesses error.
    EXPECT_THROW(d.write32(km_reg::kStatus, 0), Error);
    EXPECT_THROW(d.read32(0x400), Error);
    EXPECT_THROW(d.read32(km_reg::kM + 2), Error);
    // Reset clears the key register and the counters.
    d.reset_and_load_key(nullptr);
    EXPECT_EQ(d.read32(km_reg::kStatus) & (km_reg::kStatusKeySealed | km_reg::kStatusKeyErr), 0u);
    EXPECT_EQ(d.read64(km_reg::kCyclesLo), 0u);
  });
  sc_core::sc_start();
}

TEST(KmAccelTest, FiniteMemoryAddsStallsToTheTimeAndCommandsQueue) {
  const Geometry g = Geometry::make(8, 8);
  KmAccelConfig c;
  c.memory.ideal = false;
  c.memory.dram_bytes_per_cycle = 2;
  c.memory.dram_latency_cycles = 40;
  c.memory.weight_sram_bytes = 256;
  c.memory.input_sram_bytes = 256;
  c.memory.accum_sram_bytes = 1024;
  c.queue_depth = 3;
  Platform p({{g, c}}, 1);
  const Key key = Key::seeded_random(g, 9);
  std::mt19937_64 rng(23);
  std::vector<Job> jobs;
  for (int l = 0; l < 3; ++l) jobs.push_back(random_job(rng, key, 50, 40, 30));
  Platform::spawn([&] {
    KmAccelDriver d = p.driver(0, 0);
    SerialKeySource ks(key);
    d.reset_and_load_key(&ks);
    for (size_t l = 0; l < jobs.size(); ++l) {
      const uint64_t base = l * 0x10000;
      d.write_mem(base, jobs[l].x.data(), jobs[l].x.size());
      d.write_mem(base + 0x4000, jobs[l].locked.data(), jobs[l].locked.size());
    }
    for (size_t l = 0; l < jobs.size(); ++l)  // three commands in flight
      d.submit(KmDescriptor{l * 0x10000, l * 0x10000 + 0x4000, l * 0x10000 + 0x8000, jobs[l].s});
    EXPECT_NE(d.read32(km_reg::kStatus) & km_reg::kStatusQueueFull, 0u);
    d.wait_idle();
    for (size_t l = 0; l < jobs.size(); ++l) {
      const Job& j = jobs[l];
      std::vector<int32_t> y(size_t(j.s.m * j.s.n));
      d.read_mem(l * 0x10000 + 0x8000, y.data(), y.size() * 4);
      EXPECT_EQ(y, test::plain_gemm(j.x, j.w, j.s.m, j.s.k, j.s.n)) << l;
    }
  });
  sc_core::sc_start();
  const auto& h = p.accels[0]->history();
  ASSERT_EQ(h.size(), jobs.size());
  for (size_t l = 0; l < h.size(); ++l) {
    EXPECT_GT(h[l].stall_cycles, 0u);  // at least the first fetch's DRAM latency
    EXPECT_EQ(int64_t(h[l].cycles - h[l].stall_cycles),
              test::closed_form_cycles(jobs[l].s.m, jobs[l].s.k, jobs[l].s.n, 8, 8));
    EXPECT_EQ(h[l].end - h[l].start, double(h[l].cycles) * c.clock_period);
    if (l > 0) {
      EXPECT_EQ(h[l].start, h[l - 1].end);  // queued: back to back
    }
  }
}

TEST(KmAccelTest, BadDescriptorsSetTheErrorBitAndTheSimulationGoesOn) {
  const Geometry g = Geometry::make(4, 4);
  Platform p({{g, KmAccelConfig{}}}, 1);
  Platform::spawn([&] {
    KmAccelDriver d = p.driver(0, 0);
    d.reset_and_load_key(nullptr);
    EXPECT_THROW(d.run(KmDescriptor{0, 0x100, 0x200, GemmShape{4, 0, 4}}), Error);
    EXPECT_NE(d.read32(km_reg::kStatus) & km_reg::kStatusError, 0u);
    d.reset_and_load_key(nullptr);  // clears the error
    EXPECT_EQ(d.read32(km_reg::kStatus) & km_reg::kStatusError, 0u);
    // X beyond the end of memory: the bus error is reported, nothing hangs.
    try {
      d.run(KmDescriptor{kMemSize - 8, 0, 0x200, GemmShape{4, 4, 4}});
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("reading X"), std::string::npos) << e.what();
    }
  });
  sc_core::sc_start();
}

}  // namespace
}  // namespace keymac
