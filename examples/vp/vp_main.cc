// An example virtual platform (docs/SYSTEMC.md "Example virtual platform"):
// a host CPU, a router, a system memory and one KmAccel per locked package,
// each with its package's geometry and key, all running concurrently in one
// SystemC simulation. One host thread per accelerator runs keymac's int8
// runtime (the same Int8Runner and evaluation loop as `keymac run`) over the
// Fashion-MNIST test images, streaming every Gemm/Conv through the
// accelerator's registers and system memory (TlmHostBackend).
//
//   keymac_vp --accel PKG:KEY[:finite] [--accel ...] [--limit N] [--batch B]
//             [--data-dir DIR] [--clock-ns T] [--json FILE]
//
// Prints per accelerator the right-key accuracy, agreement with the unlocked
// reference, per-layer cycles of the first batch and the totals, in the same
// JSON keys as `keymac run --json` (examples/vp/vp_test.sh compares them),
// plus the SystemC time each accelerator was busy (= cycles x clock period).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "examples/vp/tlm_host_backend.h"
#include "host/backend/memory_config.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/runtime/evaluator.h"
#include "sim/core/error.h"
#include "sim/model/km_accel.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/km_memory.h"
#include "sim/model/km_router.h"

namespace {

using namespace keymac;

constexpr uint64_t kRegionBytes = 64ull << 20;       // system memory per accelerator
constexpr uint64_t kAccelBase = 0x100000000ull;      // register windows above memory
constexpr uint64_t kAccelStride = 0x1000;

struct AccelSpec {
  std::string package, key;
  bool finite = false;
};

struct Args {
  std::vector<AccelSpec> accels;
  int64_t limit = 512, batch = 256;
  std::string data_dir = "/usr/share/datasets/fashion-mnist", json;
  double clock_ns = 10;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string o = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(o + ": missing value");
      return argv[++i];
    };
    if (o == "--accel") {
      const std::string v = val();
      AccelSpec s;
      const size_t c1 = v.find(':');
      if (c1 == std::string::npos) throw Error("--accel " + v + ": expected PKG:KEY[:finite]");
      s.package = v.substr(0, c1);
      std::string rest = v.substr(c1 + 1);
      if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, ":finite") == 0) {
        s.finite = true;
        rest.resize(rest.size() - 7);
      }
      s.key = rest;
      a.accels.push_back(s);
    } else if (o == "--limit") {
      a.limit = std::stoll(val());
    } else if (o == "--batch") {
      a.batch = std::stoll(val());
    } else if (o == "--data-dir") {
      a.data_dir = val();
    } else if (o == "--clock-ns") {
      a.clock_ns = std::stod(val());
    } else if (o == "--json") {
      a.json = val();
    } else {
      throw Error(o + ": unknown option (see the comment at the top of examples/vp/vp_main.cc)");
    }
  }
  if (a.accels.empty()) throw Error("--accel: give at least one PKG:KEY");
  if (a.batch < 1 || !(a.clock_ns > 0)) throw Error("--batch and --clock-ns must be positive");
  return a;
}

struct Host : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Host> socket;
  explicit Host(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
};

struct AccelRun {
  AccelSpec spec;
  QuantModel locked, unlocked;
  Key key;
  std::unique_ptr<KmAccel> accel;
  std::unique_ptr<Host> cpu;
  EvalResult keyed, reference;
  std::string error;
};

nlohmann::json report(const AccelRun& r, const Args& a) {
  const Geometry g = r.accel->geometry();
  nlohmann::json layers = nlohmann::json::array();
  uint64_t first = 0;
  for (const LayerRun& l : r.keyed.first_batch) {
    layers.push_back({{"name", l.name}, {"M", l.shape.m}, {"K", l.shape.k}, {"N", l.shape.n},
                      {"cycles", l.stats.cycles}, {"stall_cycles", l.stats.stall_cycles}});
    first += l.stats.cycles;
  }
  LayerStats tot;
  for (const LayerStats& s : r.keyed.layer_totals) tot += s;
  int64_t same = 0;
  for (size_t i = 0; i < std::min(r.keyed.predictions.size(), r.reference.predictions.size()); ++i)
    same += r.keyed.predictions[i] == r.reference.predictions[i];
  sc_core::sc_time busy = sc_core::SC_ZERO_TIME;
  for (const KmAccelRecord& h : r.accel->history()) busy += h.end - h.start;
  const auto& hist = r.accel->history();
  const double period_ns = r.accel->config().clock_period.to_seconds() * 1e9;
  return {{"accelerator", r.accel->name()},
          {"package", r.spec.package},
          {"finite_memory", r.spec.finite},
          {"array", {{"rows", g.rows}, {"cols", g.cols}}},
          {"images", r.keyed.images},
          {"batch", a.batch},
          {"accuracy", {{"correct_key", r.keyed.accuracy()}, {"reference", r.reference.accuracy()}}},
          {"right_key_vs_reference",
           {{"identical_predictions", same},
            {"images", std::min(r.keyed.images, r.reference.images)},
            {"scores_bit_identical", r.keyed.complete && r.reference.complete &&
                                         r.keyed.scores_hash == r.reference.scores_hash}}},
          {"layers", layers},
          {"cycles", {{"keyed", first}, {"keyed_total", r.keyed.total_cycles}}},
          {"backend_totals", {{"cycles", tot.cycles}, {"stall_cycles", tot.stall_cycles}, {"macs", tot.macs}}},
          {"systemc",
           {{"clock_ns", period_ns},
            {"commands", hist.size()},
            {"busy_ns", busy.to_seconds() * 1e9},
            {"first_start_ns", hist.empty() ? 0.0 : hist.front().start.to_seconds() * 1e9},
            {"last_end_ns", hist.empty() ? 0.0 : hist.back().end.to_seconds() * 1e9},
            {"busy_equals_cycles_times_period",
             busy == static_cast<double>(r.keyed.total_cycles) * r.accel->config().clock_period}}}};
}

int run(int argc, char** argv) {
  const Args a = parse(argc, argv);
  const ImageSet test = load_idx(a.data_dir, "t10k", a.limit);
  const sc_core::sc_time period(a.clock_ns, sc_core::SC_NS);

  // --- elaboration: memory, router, one accelerator + host thread per package
  KmRouter bus("bus");
  KmMemory dram("dram", kRegionBytes * a.accels.size());
  bus.initiator.bind(dram.socket);
  bus.map(0, dram.size());
  std::vector<std::unique_ptr<AccelRun>> runs;
  for (size_t i = 0; i < a.accels.size(); ++i) {
    auto r = std::make_unique<AccelRun>();
    r->spec = a.accels[i];
    r->locked = read_package(r->spec.package);
    r->key = Key::read(r->spec.key);
    const Geometry g = r->locked.lock_geometry;
    if (r->key.geometry() != g)
      throw Error(r->spec.key + ": key is for a " + r->key.geometry().str() + " array but " +
                  r->spec.package + " is locked for " + g.str());
    r->unlocked = unlock_model(r->locked, r->key);
    KmAccelConfig cfg;
    cfg.clock_period = period;
    if (r->spec.finite) {
      MemoryOptions m;  // keymac run --finite-memory: the defaults, not ideal
      m.ideal = false;
      validate_memory_options(m, g);
      cfg.memory = to_memory_config(m);
    }
    r->accel = std::make_unique<KmAccel>(("accel" + std::to_string(i)).c_str(), g, cfg);
    bus.initiator.bind(r->accel->regs);
    bus.map(kAccelBase + i * kAccelStride, km_reg::kSize);
    r->accel->mem.bind(bus.target);
    r->cpu = std::make_unique<Host>(("cpu" + std::to_string(i)).c_str());
    r->cpu->socket.bind(bus.target);
    runs.push_back(std::move(r));
  }
  // --- the host software: one thread per accelerator, all concurrent
  for (size_t i = 0; i < runs.size(); ++i) {
    AccelRun* r = runs[i].get();
    sc_core::sc_spawn([r, i, &a, &test] {
      try {
        Host* cpu = r->cpu.get();
        KmAccelDriver drv([cpu](tlm::tlm_generic_payload& t, sc_core::sc_time& d) { cpu->socket->b_transport(t, d); },
                          kAccelBase + i * kAccelStride, *r->accel);
        const BackendFactory make = [&](const EvalSpec&) -> std::unique_ptr<ArrayBackend> {
          return std::make_unique<TlmHostBackend>(drv, r->accel->geometry(), i * kRegionBytes, kRegionBytes);
        };
        r->keyed = evaluate(EvalSpec{"correct_key", &r->locked, &r->key}, test, make, a.batch, nullptr);
      } catch (const std::exception& e) {
        r->error = e.what();
      }
    });
  }
  sc_core::sc_start();
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : runs) {
    if (!r->error.empty()) throw Error(std::string(r->accel->name()) + ": " + r->error);
    // The unlocked model on the functional backend: what the right key must reproduce.
    const BackendOptions functional_options;  // a named object: GCC 12 warns (falsely) on a {} temporary here
    const BackendFactory fn = [&](const EvalSpec&) { return make_backend("functional", r->accel->geometry(), functional_options); };
    r->reference = evaluate(EvalSpec{"reference", &r->unlocked, nullptr}, test, fn, a.batch, nullptr);
    out.push_back(report(*r, a));
  }
  for (const auto& j : out)
    std::printf("%s: %s on %dx%d%s, %lld images: accuracy %.2f%% (reference %.2f%%), %s cycles "
                "(first batch %s), busy %.0f ns at %.3g ns/cycle\n",
                j["accelerator"].get<std::string>().c_str(), j["package"].get<std::string>().c_str(),
                j["array"]["rows"].get<int>(), j["array"]["cols"].get<int>(),
                j["finite_memory"].get<bool>() ? " (finite memory)" : "",
                static_cast<long long>(j["images"].get<int64_t>()), j["accuracy"]["correct_key"].get<double>(),
                j["accuracy"]["reference"].get<double>(), j["cycles"]["keyed_total"].dump().c_str(),
                j["cycles"]["keyed"].dump().c_str(), j["systemc"]["busy_ns"].get<double>(),
                j["systemc"]["clock_ns"].get<double>());
  if (!a.json.empty()) {
    std::ofstream f(a.json);
    f << nlohmann::json{{"accelerators", out}, {"sc_time_end_ns", sc_core::sc_time_stamp().to_seconds() * 1e9}}.dump(2)
      << "\n";
    if (!f) throw Error(a.json + ": cannot write");
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac_vp: %s\n", e.what());
    return 1;
  }
}
