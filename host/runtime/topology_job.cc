#include "host/runtime/topology_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "host/energy/accelergy.h"
#include "host/energy/activity.h"
#include "host/energy/area_table.h"
#include "host/energy/energy_model.h"
#include "host/energy/energy_table.h"
#include "host/runtime/topology_file.h"
#include "sim/core/error.h"
#include "sim/core/memory_system.h"
#include "sim/core/schedule.h"
#include "traces/scalesim_trace.h"

namespace keymac {

namespace {

double sum_without_key_load(const std::map<std::string, double>& e) {
  double s = 0;
  for (const auto& [k, v] : e)
    if (k != "key.load") s += v;
  return s;
}

// Activity of one layer; with values: measured on seeded random int8 operands.
LayerActivity layer_activity(const traces::ScaleSimLayer& l, Geometry g, bool keyed, bool values, uint64_t seed,
                             const Key& key) {
  const Schedule sch(l.shape, g);
  if (values) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> d(-128, 127);
    std::vector<int8_t> x(static_cast<size_t>(l.shape.m * l.shape.k)), w(static_cast<size_t>(l.shape.k * l.shape.n));
    for (auto& v : x) v = static_cast<int8_t>(d(rng));
    for (auto& v : w) v = static_cast<int8_t>(d(rng));
    LayerStats st;
    st.cycles = static_cast<uint64_t>(sch.cycles());
    st.macs = static_cast<uint64_t>(l.shape.macs());
    return measure_activity(GemmJob{l.name, l.shape, x.data(), w.data()}, g, keyed ? &key : nullptr, st);
  }
  LayerActivity a;
  a.name = l.name;
  a.shape = l.shape;
  a.folds = static_cast<uint64_t>(sch.folds());
  a.cycles = static_cast<uint64_t>(sch.cycles());
  a.macs = static_cast<uint64_t>(l.shape.macs());
  a.array_macs = static_cast<uint64_t>(sch.folds() * l.shape.m * g.rows * g.cols);
  a.weight_reg_writes = static_cast<uint64_t>(sch.folds() * g.rows * g.cols);
  a.key_xor_ops = keyed ? a.array_macs : 0;
  estimate_memory(l.shape, g, a);
  return a;
}

}  // namespace

nlohmann::json run_topology(const TopologyConfig& cfg) {
  const Topology topo = read_topology(cfg.topology);
  std::optional<ScaleSimConfig> sc;
  if (!cfg.scalesim_config.empty()) sc = read_scalesim_config(cfg.scalesim_config);
  const Geometry g = cfg.array ? *cfg.array : (sc ? sc->array : Geometry{});
  const EnergyTable table = cfg.energy_table.empty() ? EnergyTable{} : EnergyTable::load(cfg.energy_table);
  const bool values = table.zero_operand_mac_factor != 1.0 || !cfg.accelergy_dir.empty();
  MemoryConfig mem;
  if (sc && sc->user_bandwidth) {
    mem.ideal = false;
    mem.dram_bytes_per_cycle = sc->bandwidth;
    mem.dram_latency_cycles = 0;
    mem.input_sram_bytes = static_cast<uint64_t>(sc->ifmap_sram_kb) * 1024;
    mem.weight_sram_bytes = static_cast<uint64_t>(sc->filter_sram_kb) * 1024;
    mem.accum_sram_bytes = static_cast<uint64_t>(sc->ofmap_sram_kb) * 1024;
  }
  const MemorySystem memsys(g, mem);
  const Key key = Key::seeded_random(g, cfg.seed);
  const int64_t R = g.rows, C = g.cols;

  nlohmann::json rep;
  rep["mode"] = "topology";
  rep["topology"] = topo.path;
  rep["format"] = topo.format;
  rep["config"] = sc ? nlohmann::json(sc->path) : nlohmann::json(nullptr);
  rep["array"] = g.str();
  rep["dataflow"] = "ws";
  rep["memory"] = mem.ideal ? nlohmann::json("ideal")
                            : nlohmann::json{{"dram_bytes_per_cycle", mem.dram_bytes_per_cycle},
                                             {"dram_latency_cycles", 0},
                                             {"input_sram_bytes", mem.input_sram_bytes},
                                             {"weight_sram_bytes", mem.weight_sram_bytes},
                                             {"accum_sram_bytes", mem.accum_sram_bytes}};
  rep["clock_mhz"] = cfg.clock_mhz;
  rep["operands"] = values ? nlohmann::json{{"random_int8_seed", cfg.seed}} : nlohmann::json("none (counts only)");
  nlohmann::json layers = nlohmann::json::array();
  int64_t tc = 0, tss = 0, tstall = 0, tmacs = 0;
  double ek = 0, ep = 0;
  EnergyInputs ein;
  ein.geometry = g;
  for (size_t i = 0; i < topo.layers.size(); ++i) {
    const auto& l = topo.layers[i];
    const Schedule sch(l.shape, g);
    const int64_t F = sch.folds(), M = l.shape.m;
    const int64_t ideal = sch.cycles();
    int64_t cycles = ideal, stalls = 0;
    if (!mem.ideal) {
      const LayerPlan p = memsys.plan(l.shape);
      cycles = p.cycles;
      stalls = p.stall_cycles;
    }
    const int64_t L = 2 * R + C + M - 2;
    const int64_t ss = F * L - 1;
    const LayerActivity ak = layer_activity(l, g, true, values, cfg.seed + i, key);
    const LayerActivity ap = layer_activity(l, g, false, values, cfg.seed + i, key);
    const double lk = sum_without_key_load(price({ak}, g, true, table, 1));
    const double lp = sum_without_key_load(price({ap}, g, false, table, 1));
    nlohmann::json j = {{"name", l.name},
                        {"m", M},
                        {"k", l.shape.k},
                        {"n", l.shape.n},
                        {"macs", l.shape.macs()},
                        {"folds", F},
                        {"cycles", cycles},
                        {"stall_cycles", stalls},
                        {"scalesim_cycles", ss},
                        {"difference", ss - ideal},
                        {"double_buffer_saving", (F - 1) * (L - sch.period())},
                        {"last_fold_difference", R - 3},
                        {"utilisation", static_cast<double>(l.shape.macs()) / (static_cast<double>(g.pes()) * cycles)},
                        {"scalesim_utilisation", static_cast<double>(l.shape.macs()) / (static_cast<double>(g.pes()) * ss)},
                        {"time_us", static_cast<double>(cycles) / cfg.clock_mhz},
                        {"energy_pj", {{"keyed", lk}, {"plain", lp}}}};
    if (l.conv)
      j["conv"] = {{"ifmap", {l.conv->ifmap_h, l.conv->ifmap_w, l.conv->channels}},
                   {"filter", {l.conv->filter_h, l.conv->filter_w}},
                   {"stride", {l.conv->stride_h, l.conv->stride_w}},
                   {"ofmap", {l.conv->out_h, l.conv->out_w}}};
    layers.push_back(j);
    tc += cycles, tss += ss, tstall += stalls, tmacs += l.shape.macs();
    ek += lk, ep += lp;
    ein.keyed.push_back(ak);
    ein.plain.push_back(ap);
  }
  const double key_load = static_cast<double>(g.pes()) * table.key_reg_bit_load_pj;
  rep["layers"] = layers;
  rep["total"] = {{"cycles", tc},
                  {"stall_cycles", tstall},
                  {"scalesim_cycles", tss},
                  {"macs", tmacs},
                  {"utilisation", static_cast<double>(tmacs) / (static_cast<double>(g.pes()) * static_cast<double>(tc))},
                  {"time_us", static_cast<double>(tc) / cfg.clock_mhz},
                  {"energy_pj", {{"keyed", ek + key_load}, {"plain", ep}, {"key_load", key_load}}}};
  const AreaTable area;
  const uint64_t buf = mem.weight_sram_bytes + mem.input_sram_bytes + mem.accum_sram_bytes;
  rep["area"] = {{"keyed", area.array_json(g, true, buf)}, {"plain", area.array_json(g, false, buf)}};
  rep["energy_table"] = table.to_json();
  rep["note"] =
      "scalesim_cycles = F*(2R+C+M-2)-1 (SCALE-Sim WS, folds not overlapped); keymac = (F-1)*max(M,R)+M+R+C: "
      "the next fold's weights load into the shadow bank while the current fold computes (double-buffered "
      "weights), so fill/drain is paid once per layer. difference = double_buffer_saving + last_fold_difference "
      "(R-3).";
  if (!cfg.scalesim_dir.empty()) {
    traces::TraceLimits lim;
    lim.limit_bytes = cfg.trace_limit_mb << 20;
    lim.force = cfg.force_trace;
    lim.window_from = cfg.window_from;
    lim.window_to = cfg.window_to;
    traces::ScaleSimOptions so;
    so.per_layer_cycles = cfg.scalesim_per_layer_cycles;
    if (sc) so.ifmap_offset = sc->ifmap_offset, so.filter_offset = sc->filter_offset, so.ofmap_offset = sc->ofmap_offset;
    const auto w = traces::write_scalesim_traces(cfg.scalesim_dir, topo.layers, g, lim, so);
    rep["scalesim_trace"] = {{"path", cfg.scalesim_dir}, {"line", w.line(cfg.scalesim_dir)}, {"warning", w.warning(cfg.scalesim_dir)}};
  }
  ein.batch_images = 1;
  ein.images_per_reset = 1;
  if (!cfg.accelergy_dir.empty()) {
    AccelergyBuffers b{mem.weight_sram_bytes, mem.input_sram_bytes, mem.accum_sram_bytes};
    write_accelergy_dir(cfg.accelergy_dir, accelergy_files(ein, table, area, b, cfg.clock_mhz));
    rep["accelergy_dir"] = cfg.accelergy_dir;
  }
  rep["complete"] = true;
  return rep;
}

std::string topology_text(const nlohmann::json& r) {
  std::string s = fmt::format("keymac --topology {} ({}), {} array, weight-stationary, memory: {}\n",
                              r["topology"].get<std::string>(), r["format"].get<std::string>(),
                              r["array"].get<std::string>(), r["memory"].is_string() ? "ideal" : "finite (config)");
  s += fmt::format("{:<22} {:>7} {:>6} {:>6} {:>6} {:>10} {:>7} {:>11} {:>10} {:>7} {:>13}\n", "layer", "M", "K", "N",
                   "folds", "cycles", "stalls", "SCALE-Sim", "diff", "util%", "energy pJ");
  for (const auto& l : r["layers"])
    s += fmt::format("{:<22} {:>7} {:>6} {:>6} {:>6} {:>10} {:>7} {:>11} {:>10} {:>7.2f} {:>13.4g}\n",
                     l["name"].get<std::string>().substr(0, 22), l["m"].get<int64_t>(), l["k"].get<int64_t>(),
                     l["n"].get<int64_t>(), l["folds"].get<int64_t>(), l["cycles"].get<int64_t>(),
                     l["stall_cycles"].get<int64_t>(), l["scalesim_cycles"].get<int64_t>(),
                     l["difference"].get<int64_t>(), 100.0 * l["utilisation"].get<double>(),
                     l["energy_pj"]["keyed"].get<double>());
  const auto& t = r["total"];
  s += fmt::format("{:<22} {:>7} {:>6} {:>6} {:>6} {:>10} {:>7} {:>11} {:>10} {:>7.2f} {:>13.4g}\n", "total", "", "", "",
                   "", t["cycles"].get<int64_t>(), t["stall_cycles"].get<int64_t>(), t["scalesim_cycles"].get<int64_t>(),
                   t["scalesim_cycles"].get<int64_t>() - t["cycles"].get<int64_t>() + t["stall_cycles"].get<int64_t>(),
                   100.0 * t["utilisation"].get<double>(), t["energy_pj"]["keyed"].get<double>());
  s += fmt::format("time {:.1f} us at {} MHz; energy keyed {:.4g} pJ, plain {:.4g} pJ (key load {:.3g} pJ once)\n",
                   t["time_us"].get<double>(), r["clock_mhz"].get<double>(), t["energy_pj"]["keyed"].get<double>(),
                   t["energy_pj"]["plain"].get<double>(), t["energy_pj"]["key_load"].get<double>());
  s += fmt::format("area keyed {:.4g} mm^2 (array {:.4g}, key logic {:.4g}, buffers {:.4g}); plain {:.4g} mm^2\n",
                   r["area"]["keyed"]["total_um2"].get<double>() / 1e6, r["area"]["keyed"]["array_um2"].get<double>() / 1e6,
                   r["area"]["keyed"]["key_um2"].get<double>() / 1e6, r["area"]["keyed"]["buffers_um2"].get<double>() / 1e6,
                   r["area"]["plain"]["total_um2"].get<double>() / 1e6);
  s += "SCALE-Sim = F*(2R+C+M-2)-1 per layer (folds not overlapped); keymac = (F-1)*max(M,R)+M+R+C: it\n"
       "double-buffers weights (next fold loads into the shadow bank during compute), so diff =\n"
       "(F-1)*(2R+C+M-2-max(M,R)) + R-3 with ideal memory (docs/SCALESIM.md).\n";
  return s;
}

}  // namespace keymac
