#include "traces/scalesim_trace.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac::traces {

namespace {

int digits(int64_t v) {
  int d = 1;
  while (v >= 10) {
    v /= 10;
    ++d;
  }
  return d;
}

// The events of one layer with ideal memory, by layer-local cycle t.
struct LayerEvents {
  const GemmShape s;
  const Geometry g;
  const Schedule sch;
  LayerEvents(GemmShape shape, Geometry geo) : s(shape), g(geo), sch(shape, geo) {}
  // Activation row presented in cycle t: fold f, row i.
  bool act(int64_t t, int64_t& f, int64_t& i) const {
    if (t < 1) return false;
    const int64_t P = sch.period();
    f = (t - 1) / P;
    i = (t - 1) - f * P;
    return f < sch.folds() && i < s.m;
  }
  bool weight(int64_t t, int64_t& f, int64_t& r) const {
    const int64_t P = sch.period();
    f = t / P;
    r = t - f * P;
    return f < sch.folds() && r < g.rows;
  }
};

// One cycle's lanes of the three SRAM traces (-1 idle) and whether each DRAM
// trace has a line (same lanes as its SRAM trace).
struct CycleLanes {
  std::vector<int64_t> in, fi, out;
  bool in_any = false, fi_any = false, out_any = false;
  int in_n = 0, fi_n = 0, out_n = 0;  // lanes holding an operand (a padding tap counts: SCALE-Sim reads it)
  bool in_dram = false, fi_dram = false, out_dram = false;
};

void lanes_at(const ScaleSimLayer& l, const LayerEvents& e, const ScaleSimOptions& o, int64_t t, CycleLanes& c) {
  const int R = e.g.rows, C = e.g.cols;
  const GemmShape& s = e.s;
  std::fill(c.in.begin(), c.in.end(), -1);
  std::fill(c.fi.begin(), c.fi.end(), -1);
  std::fill(c.out.begin(), c.out.end(), -1);
  c.in_any = c.fi_any = c.out_any = c.in_dram = c.fi_dram = c.out_dram = false;
  c.in_n = c.fi_n = c.out_n = 0;
  int64_t f, i, r;
  if (e.act(t, f, i)) {
    const Fold fo = e.sch.fold(f);
    for (int rr = 0; rr < R; ++rr) {
      const int64_t k = fo.kt * R + rr;
      if (k >= s.k) continue;
      c.in[static_cast<size_t>(rr)] = scalesim_ifmap_addr(l, i, k, o);
      ++c.in_n;
    }
    c.in_any = true;
    c.in_dram = fo.nt == 0;
  }
  if (e.weight(t, f, r)) {
    const Fold fo = e.sch.fold(f);
    const int64_t k = fo.kt * R + r;
    for (int cc = 0; cc < C; ++cc) {
      const int64_t n = fo.nt * C + cc;
      if (k >= s.k || n >= s.n) continue;
      c.fi[static_cast<size_t>(cc)] = o.filter_offset + n * s.k + k;
      ++c.fi_n;
    }
    c.fi_any = c.fi_dram = true;
  }
  if (e.act(t - (R + C - 1), f, i)) {
    const Fold fo = e.sch.fold(f);
    for (int cc = 0; cc < C; ++cc) {
      const int64_t n = fo.nt * C + cc;
      if (n >= s.n) continue;
      c.out[static_cast<size_t>(cc)] = o.ofmap_offset + i * s.n + n;
      ++c.out_n;
    }
    c.out_any = true;
    c.out_dram = fo.kt == e.sch.k_tiles() - 1;
  }
}

void append_line(std::string& out, const std::string& cycle, const std::vector<int64_t>& lanes) {
  out += cycle;
  for (int64_t a : lanes) {
    out += ',';
    out += std::to_string(a);
  }
  out += '\n';
}

void count(ScaleSimAccess& a, int64_t cycle, int n) {
  if (!n) return;
  if (a.start < 0) a.start = cycle;
  a.stop = cycle;
  a.count += static_cast<uint64_t>(n);
}

// IFMAP DRAM lanes: an address crosses the DRAM interface at its first use in
// the layer only (ideal buffers keep it). A convolution's input pixel is read
// by many (output pixel, tap) pairs but fetched once, as in SCALE-Sim's
// DETAILED_ACCESS_REPORT (DRAM IFMAP Reads = input pixels); padding taps (-1)
// are never fetched. Returns the lanes fetched in this cycle.
class FirstUse {
 public:
  FirstUse(const ScaleSimLayer& l, const ScaleSimOptions& o) : offset_(o.ifmap_offset) {
    int64_t n = l.shape.m * l.shape.k;
    if (l.conv) {
      const ScaleSimConv& v = *l.conv;
      const int64_t px = std::max<int64_t>(1, v.out_h * v.out_w);
      n = ((l.shape.m + px - 1) / px) * v.ifmap_h * v.ifmap_w * v.channels;
    }
    seen_.assign(static_cast<size_t>(std::max<int64_t>(n, 1)), false);
  }
  int take(const std::vector<int64_t>& in, std::vector<int64_t>& out) {
    int n = 0;
    for (size_t j = 0; j < in.size(); ++j) {
      out[j] = -1;
      if (in[j] < 0) continue;
      const auto a = static_cast<size_t>(in[j] - offset_);
      if (a >= seen_.size() || seen_[a]) continue;
      seen_[a] = true;
      out[j] = in[j];
      ++n;
    }
    return n;
  }

 private:
  int64_t offset_;
  std::vector<bool> seen_;
};

// SCALE-Sim prints Python floats (repr): shortest round-trip form.
std::string py(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

int64_t scalesim_ifmap_addr(const ScaleSimLayer& l, int64_t i, int64_t k, const ScaleSimOptions& o) {
  if (!l.conv) return o.ifmap_offset + i * l.shape.k + k;
  const ScaleSimConv& v = *l.conv;
  const int64_t px = v.out_h * v.out_w;
  const int64_t b = i / px, p = i % px, oy = p / v.out_w, ox = p % v.out_w;
  int64_t c, ky, kx;
  if (v.k_order == ScaleSimConv::KOrder::kKeymac) {
    kx = k % v.filter_w;
    ky = (k / v.filter_w) % v.filter_h;
    c = k / (v.filter_w * v.filter_h);
  } else {
    c = k % v.channels;
    kx = (k / v.channels) % v.filter_w;
    ky = k / (v.channels * v.filter_w);
  }
  const int64_t y = oy * v.stride_h - v.pad_top + ky, x = ox * v.stride_w - v.pad_left + kx;
  if (y < 0 || y >= v.ifmap_h || x < 0 || x >= v.ifmap_w) return -1;
  return o.ifmap_offset + ((b * v.ifmap_h + y) * v.ifmap_w + x) * v.channels + c;
}

ScaleSimReport scalesim_report(const ScaleSimLayer& l, Geometry g, int64_t first_cycle, const ScaleSimOptions& o) {
  const LayerEvents e(l.shape, g);
  ScaleSimReport rep;
  rep.cycles = e.sch.cycles();
  const double pes = static_cast<double>(g.pes());
  rep.overall_util = 100.0 * static_cast<double>(l.shape.macs()) / (static_cast<double>(rep.cycles) * pes);
  // Per fold, as SCALE-Sim: used PEs / R*C, and used PE-cycles over the fold's
  // length (keymac's fold period P = max(M, R)).
  double map = 0, comp = 0;
  for (int64_t f = 0; f < e.sch.folds(); ++f) {
    const Fold fo = e.sch.fold(f);
    const int64_t rows = std::min<int64_t>(g.rows, l.shape.k - fo.kt * g.rows);
    const int64_t cols = std::min<int64_t>(g.cols, l.shape.n - fo.nt * g.cols);
    map += static_cast<double>(rows * cols) / pes;
    comp += static_cast<double>(rows * cols * l.shape.m) / (pes * static_cast<double>(e.sch.period()));
  }
  rep.mapping_eff = 100.0 * map / static_cast<double>(e.sch.folds());
  rep.compute_util = 100.0 * comp / static_cast<double>(e.sch.folds());
  CycleLanes c;
  c.in.assign(static_cast<size_t>(g.rows), -1);
  c.fi.assign(static_cast<size_t>(g.cols), -1);
  c.out.assign(static_cast<size_t>(g.cols), -1);
  FirstUse fetched(l, o);
  std::vector<int64_t> in_dram(c.in.size(), -1);
  for (int64_t t = 0; t < rep.cycles; ++t) {
    lanes_at(l, e, o, t, c);
    const int64_t cyc = first_cycle + t;
    if (c.in_any) count(rep.sram[0], cyc, c.in_n);
    if (c.in_dram) count(rep.dram[0], cyc, fetched.take(c.in, in_dram));
    if (c.fi_any) count(rep.sram[1], cyc, c.fi_n);
    if (c.fi_dram) count(rep.dram[1], cyc, c.fi_n);
    if (c.out_any) count(rep.sram[2], cyc, c.out_n);
    if (c.out_dram) count(rep.dram[2], cyc, c.out_n);
  }
  return rep;
}

std::string scalesim_compute_report_csv(const std::vector<ScaleSimReport>& r) {
  std::string s = "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n";
  for (size_t i = 0; i < r.size(); ++i)
    s += fmt::format("{}, {}, {}, {}, {}, {},\n", i, r[i].cycles, r[i].stall_cycles, py(r[i].overall_util),
                     py(r[i].mapping_eff), py(r[i].compute_util));
  return s;
}

std::string scalesim_bandwidth_report_csv(const std::vector<ScaleSimReport>& r) {
  std::string s = "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, ";
  s += "Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n";
  for (size_t i = 0; i < r.size(); ++i) {
    s += std::to_string(i);
    const double cyc = static_cast<double>(r[i].cycles);
    for (const auto& a : r[i].sram) s += ", " + py(static_cast<double>(a.count) / cyc);
    for (const auto& a : r[i].dram)
      s += ", " + py(a.count ? static_cast<double>(a.count) / static_cast<double>(a.stop - a.start + 1) : 0.0);
    s += ",\n";
  }
  return s;
}

std::string scalesim_detailed_report_csv(const std::vector<ScaleSimReport>& r) {
  std::string s = "LayerID, ";
  s += "SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, ";
  s += "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, ";
  s += "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, ";
  s += "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, ";
  s += "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, ";
  s += "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n";
  for (size_t i = 0; i < r.size(); ++i) {
    s += std::to_string(i);
    for (const auto* set : {r[i].sram, r[i].dram})
      for (int k = 0; k < 3; ++k)
        s += fmt::format(", {}, {}, {}", py(static_cast<double>(set[k].start)), py(static_cast<double>(set[k].stop)),
                         set[k].count);
    s += ",\n";
  }
  return s;
}

uint64_t estimate_scalesim_bytes(const std::vector<ScaleSimLayer>& layers, Geometry g, const TraceLimits& limits) {
  uint64_t bytes = 0, start = 0;
  for (const auto& l : layers) {
    const Schedule s(l.shape, g);
    const uint64_t cyc = static_cast<uint64_t>(s.cycles());
    const uint64_t w = window_cycles(limits, start, start + cyc - 1);
    if (w) {
      int64_t in_max = l.shape.m * l.shape.k;
      if (l.conv) in_max = std::max(in_max, l.shape.m * l.conv->ifmap_h * l.conv->ifmap_w * l.conv->channels);
      const uint64_t cd = static_cast<uint64_t>(digits(static_cast<int64_t>(start + cyc))) + 1;
      const uint64_t a_in = static_cast<uint64_t>(digits(std::max<int64_t>(in_max, 1))) + 1;
      const uint64_t a_f = static_cast<uint64_t>(digits(kScaleSimFilterOffset + l.shape.k * l.shape.n)) + 1;
      const uint64_t a_o = static_cast<uint64_t>(digits(kScaleSimOfmapOffset + l.shape.m * l.shape.n)) + 1;
      const uint64_t R = static_cast<uint64_t>(g.rows), C = static_cast<uint64_t>(g.cols);
      const uint64_t F = static_cast<uint64_t>(s.folds()), M = static_cast<uint64_t>(l.shape.m);
      bytes += w * (3 * cd + R * a_in + C * (a_f + a_o));  // dense SRAM traces (upper bound)
      bytes += std::min(w, static_cast<uint64_t>(s.k_tiles()) * M) * (cd + R * a_in);
      bytes += std::min(w, F * R) * (cd + C * a_f);
      bytes += std::min(w, static_cast<uint64_t>(s.n_tiles()) * M) * (cd + C * a_o);
    }
    start += cyc;
  }
  return bytes;
}

ScaleSimWritten write_scalesim_traces(const std::string& dir, const std::vector<ScaleSimLayer>& layers, Geometry g,
                                      const TraceLimits& limits, const ScaleSimOptions& opts) {
  ScaleSimWritten w;
  for (const auto& l : layers) w.total_cycles += static_cast<uint64_t>(Schedule(l.shape, g).cycles());
  if (limits.window_from >= w.total_cycles || limits.window_from > limits.window_to)
    throw Error(dir + ": not written: --trace-window " + std::to_string(limits.window_from) + ":" +
                std::to_string(limits.window_to) + " starts after the " + std::to_string(w.total_cycles) +
                " cycles of the traced layers (cycles 0.." + std::to_string(w.total_cycles ? w.total_cycles - 1 : 0) + ")");
  check_trace_size(dir, "SCALE-Sim traces", estimate_scalesim_bytes(layers, g, limits), limits);
  auto mkdir_p = [](const std::string& d) {
    if (::mkdir(d.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error(d + ": cannot create trace directory (" + std::strerror(errno) + ")");
  };
  mkdir_p(dir);
  w.first = limits.window_from;
  w.last = std::min(limits.window_to, w.total_cycles - 1);
  std::vector<ScaleSimReport> reports;
  uint64_t start = 0;
  CycleLanes c;
  c.in.assign(static_cast<size_t>(g.rows), -1);
  c.fi.assign(static_cast<size_t>(g.cols), -1);
  c.out.assign(static_cast<size_t>(g.cols), -1);
  std::vector<int64_t> in_dram(c.in.size(), -1);
  for (size_t li = 0; li < layers.size(); ++li) {
    const ScaleSimLayer& l = layers[li];
    const LayerEvents e(l.shape, g);
    const int64_t cyc = e.sch.cycles();
    const uint64_t a = std::max(start, limits.window_from);
    const uint64_t b = std::min(start + static_cast<uint64_t>(cyc) - 1, limits.window_to);
    const uint64_t label0 = opts.per_layer_cycles ? 0 : start;  // cycle number of layer cycle 0
    if (a <= b) {  // only layers the window reaches get a directory; no empty trace files
      const std::string ld = dir + "/layer" + std::to_string(li);
      mkdir_p(ld);
      w.layers.push_back(l.name);
      std::string isr, fsr, osr, idr, fdr, odr;
      FirstUse fetched(l, opts);
      // From the layer's start: which inputs were fetched before the window matters.
      for (uint64_t gt = start; gt <= b; ++gt) {
        const int64_t t = static_cast<int64_t>(gt - start);
        lanes_at(l, e, opts, t, c);
        const bool in_new = c.in_dram && fetched.take(c.in, in_dram) > 0;
        if (gt < a) continue;
        const std::string cs = std::to_string(label0 + static_cast<uint64_t>(t));
        append_line(isr, cs, c.in);
        append_line(fsr, cs, c.fi);
        append_line(osr, cs, c.out);
        if (in_new) append_line(idr, cs, in_dram);
        if (c.fi_dram) append_line(fdr, cs, c.fi);
        if (c.out_dram) append_line(odr, cs, c.out);
      }
      const std::pair<const char*, const std::string*> files[] = {
          {"IFMAP_SRAM_TRACE.csv", &isr}, {"FILTER_SRAM_TRACE.csv", &fsr}, {"OFMAP_SRAM_TRACE.csv", &osr},
          {"IFMAP_DRAM_TRACE.csv", &idr}, {"FILTER_DRAM_TRACE.csv", &fdr}, {"OFMAP_DRAM_TRACE.csv", &odr}};
      for (const auto& [name, text] : files) {
        if (text->empty()) {  // e.g. a window that ends before the layer's first output
          w.skipped.push_back(ld + "/" + name);
          continue;
        }
        write_file_atomic(ld + "/" + name, *text);
        ++w.files;
      }
    }
    if (opts.reports) reports.push_back(scalesim_report(l, g, static_cast<int64_t>(label0), opts));
    start += static_cast<uint64_t>(cyc);
  }
  if (opts.reports) {
    write_file_atomic(dir + "/COMPUTE_REPORT.csv", scalesim_compute_report_csv(reports));
    write_file_atomic(dir + "/BANDWIDTH_REPORT.csv", scalesim_bandwidth_report_csv(reports));
    write_file_atomic(dir + "/DETAILED_ACCESS_REPORT.csv", scalesim_detailed_report_csv(reports));
    w.files += 3;
  }
  return w;
}

std::string ScaleSimWritten::line(const std::string& dir) const {
  std::string names;
  for (const auto& n : layers) names += (names.empty() ? "" : ", ") + n;
  std::string s = "wrote " + dir + " (cycles " + std::to_string(first) + ".." + std::to_string(last) + " of " +
                  std::to_string(total_cycles) + ", layers " + names + "; " + std::to_string(files) + " files";
  if (!skipped.empty()) s += "; " + std::to_string(skipped.size()) + " traces with no line in the window not written";
  return s + ")";
}

std::string ScaleSimWritten::warning(const std::string& dir) const {
  if (first == 0 && last + 1 >= total_cycles) return "";
  return dir + " covers only cycles " + std::to_string(first) + ".." + std::to_string(last) + " of the " +
         std::to_string(total_cycles) + "-cycle run of the traced layers (--trace-window; the reports cover every layer)";
}

}  // namespace keymac::traces
