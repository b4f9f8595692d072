#include "traces/scalesim_trace.h"

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

void ifmap_line(std::string& out, const LayerEvents& e, int64_t f, int64_t i) {
  const int64_t kt = e.sch.fold(f).kt;
  for (int r = 0; r < e.g.rows; ++r) {
    const int64_t k = kt * e.g.rows + r;
    out += ',';
    out += k < e.s.k ? std::to_string(i * e.s.k + k) : "-1";
  }
}
void filter_line(std::string& out, const LayerEvents& e, int64_t f, int64_t r) {
  const Fold fo = e.sch.fold(f);
  const int64_t k = fo.kt * e.g.rows + r;
  for (int c = 0; c < e.g.cols; ++c) {
    const int64_t n = fo.nt * e.g.cols + c;
    out += ',';
    out += k < e.s.k && n < e.s.n ? std::to_string(kScaleSimFilterOffset + k * e.s.n + n) : "-1";
  }
}
void ofmap_line(std::string& out, const LayerEvents& e, int64_t f, int64_t i) {
  const int64_t nt = e.sch.fold(f).nt;
  for (int c = 0; c < e.g.cols; ++c) {
    const int64_t n = nt * e.g.cols + c;
    out += ',';
    out += n < e.s.n ? std::to_string(kScaleSimOfmapOffset + i * e.s.n + n) : "-1";
  }
}
std::string idle_line(int lanes) {
  std::string s;
  for (int i = 0; i < lanes; ++i) s += ",-1";
  return s;
}

}  // namespace

uint64_t estimate_scalesim_bytes(const std::vector<ScaleSimLayer>& layers, Geometry g, const TraceLimits& limits) {
  uint64_t bytes = 0, start = 0;
  for (const auto& l : layers) {
    const Schedule s(l.shape, g);
    const uint64_t cyc = static_cast<uint64_t>(s.cycles());
    const uint64_t w = window_cycles(limits, start, start + cyc - 1);
    if (w) {
      const uint64_t cd = static_cast<uint64_t>(digits(static_cast<int64_t>(start + cyc))) + 1;
      const uint64_t a_in = static_cast<uint64_t>(digits(std::max<int64_t>(l.shape.m * l.shape.k, 1))) + 1;
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

void write_scalesim_traces(const std::string& dir, const std::vector<ScaleSimLayer>& layers, Geometry g,
                           const TraceLimits& limits) {
  check_trace_size(dir, "SCALE-Sim traces", estimate_scalesim_bytes(layers, g, limits), limits);
  auto mkdir_p = [](const std::string& d) {
    if (::mkdir(d.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error(d + ": cannot create trace directory (" + std::strerror(errno) + ")");
  };
  mkdir_p(dir);
  const std::string idle_r = idle_line(g.rows), idle_c = idle_line(g.cols);
  const int R = g.rows, C = g.cols;
  uint64_t start = 0;
  for (size_t li = 0; li < layers.size(); ++li) {
    const LayerEvents e(layers[li].shape, g);
    const int64_t cyc = e.sch.cycles();
    const std::string ld = dir + "/layer" + std::to_string(li);
    mkdir_p(ld);
    std::string isr, fsr, osr, idr, fdr, odr;
    const uint64_t a = std::max(start, limits.window_from);
    const uint64_t b = std::min(start + static_cast<uint64_t>(cyc) - 1, limits.window_to);
    for (uint64_t gt = a; gt <= b && a <= b; ++gt) {
      const int64_t t = static_cast<int64_t>(gt - start);
      const std::string cs = std::to_string(gt);
      int64_t f, i, r;
      isr += cs;
      if (e.act(t, f, i)) {
        ifmap_line(isr, e, f, i);
        if (e.sch.fold(f).nt == 0) {
          idr += cs;
          ifmap_line(idr, e, f, i);
          idr += '\n';
        }
      } else {
        isr += idle_r;
      }
      isr += '\n';
      fsr += cs;
      if (e.weight(t, f, r)) {
        filter_line(fsr, e, f, r);
        fdr += cs;
        filter_line(fdr, e, f, r);
        fdr += '\n';
      } else {
        fsr += idle_c;
      }
      fsr += '\n';
      osr += cs;
      if (e.act(t - (R + C - 1), f, i)) {
        ofmap_line(osr, e, f, i);
        if (e.sch.fold(f).kt == e.sch.k_tiles() - 1) {
          odr += cs;
          ofmap_line(odr, e, f, i);
          odr += '\n';
        }
      } else {
        osr += idle_c;
      }
      osr += '\n';
    }
    write_file_atomic(ld + "/IFMAP_SRAM_TRACE.csv", isr);
    write_file_atomic(ld + "/FILTER_SRAM_TRACE.csv", fsr);
    write_file_atomic(ld + "/OFMAP_SRAM_TRACE.csv", osr);
    write_file_atomic(ld + "/IFMAP_DRAM_TRACE.csv", idr);
    write_file_atomic(ld + "/FILTER_DRAM_TRACE.csv", fdr);
    write_file_atomic(ld + "/OFMAP_DRAM_TRACE.csv", odr);
    start += static_cast<uint64_t>(cyc);
  }
}

}  // namespace keymac::traces
