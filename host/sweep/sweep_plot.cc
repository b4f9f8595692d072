#include "host/sweep/sweep_plot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "host/sweep/result_columns.h"
#include "host/sweep/results_file.h"
#include "host/sweep/sweep_emit.h"
#include "base/shell_quote.h"
#include "base/spawn.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

using json = nlohmann::json;

// Parameters that never name a series: geometry is the x axis, the key file
// and the wrong-key seed do not change cycles.
const std::set<std::string> kNotSeries = {"array", "rows", "cols", "key", "seed"};

std::string stem(const std::string& path) {
  std::string s = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  if (auto d = s.rfind('.'); d != std::string::npos && d > 0) s = s.substr(0, d);
  return s;
}

std::string value_text(const std::string& name, const json& v) {
  if (name == "model" && v.is_string()) return stem(v.get<std::string>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v.get<double>());
    return b;
  }
  return v.dump();
}

// Units of numeric parameters in legends and labels.
std::string unit_of(const std::string& name) {
  static const std::map<std::string, std::string> u = {
      {"dram_bw", " B/cycle"}, {"dram_latency", " cycles"}, {"wbuf_kib", " KiB"}, {"ibuf_kib", " KiB"},
      {"abuf_kib", " KiB"},    {"batch", " images"},        {"limit", " images"}, {"clock_mhz", " MHz"},
      {"calib", " images"},    {"wrong_keys", " keys"}};
  auto it = u.find(name);
  return it == u.end() ? "" : it->second;
}

// Sort key of a point's series: each varying parameter's value, numbers as numbers.
struct SeriesKey {
  std::vector<std::pair<double, std::string>> v;
  bool operator<(const SeriesKey& o) const { return v < o.v; }
};

// Shape class of an array: its aspect ratio, so shapes with one PE count
// (8x16, 16x8) are separate series instead of a zig-zag.
std::string aspect_of(int64_t rows, int64_t cols) {
  if (rows == cols) return "square (R = C)";
  char b[64];
  if (cols > rows) std::snprintf(b, sizeof b, "wide (C = %g R)", static_cast<double>(cols) / static_cast<double>(rows));
  else std::snprintf(b, sizeof b, "tall (R = %g C)", static_cast<double>(rows) / static_cast<double>(cols));
  return b;
}

// A gnuplot single-quoted string for scripts: no backquote substitution or
// escapes happen inside it ('' is a quote); control characters become spaces.
std::string quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) o += ' ';
    else o += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return o + "'";
}

// A double-quoted label in a .dat data file (read as data, never executed).
std::string dat_quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) o += ' ';
    else o += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  }
  return o + "\"";
}

double num(const json& l, const char* col) {
  const json v = column_value(l, col);
  return v.is_number() ? v.get<double>() : NAN;
}

struct Plotter {
  std::string dir, term;
  std::vector<std::string> notes;

  void run(const std::string& name, const std::string& script) {
    const std::string gp = dir + "/" + name + ".gp", err = dir + "/" + name + ".gnuplot-stderr.txt";
    write_file_atomic(gp, "set terminal " + term + "\nset output " + quote(dir + "/" + name + ".png") + "\n" +
                              "set termoption noenhanced\n" + script + "unset output\n");
    SpawnOptions so;
    so.stderr_path = err;
    so.missing_hint = "Debian: apt-get install gnuplot-nox";
    if (run_tool({"gnuplot", gp}, so) != 0) {
      std::string e;
      try {
        e = read_text_file(err, "gnuplot stderr");
      } catch (const Error&) {
      }
      std::replace(e.begin(), e.end(), '\n', ' ');
      throw Error(gp + ": gnuplot failed: " + e.substr(0, 300));
    }
    ::unlink(err.c_str());
    notes.push_back("wrote " + dir + "/" + name + ".png");
  }
};

bool varying_series(const std::vector<std::string>& varying) {
  for (const auto& k : varying)
    if (!kNotSeries.count(k)) return true;
  return false;
}

}  // namespace

namespace {
std::vector<std::string> plot_checked(const std::vector<std::string>& inputs, const std::string& out_dir);
}  // namespace

std::vector<std::string> plot_results(const std::vector<std::string>& inputs, const std::string& out_dir) {
  try {
    return plot_checked(inputs, out_dir);
  } catch (const nlohmann::json::exception& e) {  // a field of an unexpected type: still one line naming the file
    throw Error(inputs.front() + ": malformed sweep result (" + e.what() + ")");
  }
}

namespace {
std::vector<std::string> plot_checked(const std::vector<std::string>& inputs, const std::string& out_dir) {
  // Points, once each (by id).
  std::vector<json> lines;
  std::set<std::string> seen;
  for (const auto& in : inputs) {
    int64_t n = 0;
    for (auto& l : read_results(in).lines) {
      ++n;  // every field the figures read, checked here so the error names the file
      const auto* acc = l.contains("report") && l["report"].is_object() && l["report"].contains("accuracy") ? &l["report"]["accuracy"] : nullptr;
      if (!l["params"].is_object() || !acc || !acc->is_object())
        throw Error(in + ": result " + std::to_string(n) + " (id " + l["id"].get<std::string>() +
                    ") has no \"params\" object or no \"report\" with \"accuracy\"; not a finished sweep point");
      if (seen.insert(l["id"].get<std::string>()).second) lines.push_back(std::move(l));
    }
  }
  if (lines.empty()) throw Error(inputs.front() + ": no sweep results to plot");
  check_script_text("plot output directory", out_dir);  // it goes into gnuplot scripts
  if (!tool_on_path("gnuplot"))
    throw Error("gnuplot: not found on PATH (Debian: apt-get install gnuplot-nox)");
  if (::mkdir(out_dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error(out_dir + ": cannot create directory: " + std::strerror(errno));
  Plotter P;
  P.dir = out_dir;
  SpawnOptions quiet;
  quiet.stdout_path = quiet.stderr_path = "/dev/null";
  const bool cairo = run_tool({"gnuplot", "-e", "set terminal pngcairo"}, quiet) == 0;
  P.term = cairo ? "pngcairo size 1400,620 font 'DejaVu Sans,11'" : "png size 1400,620";
  std::sort(lines.begin(), lines.end(), [](const json& a, const json& b) {
    return std::make_pair(a.value("index", int64_t{0}), a["id"].get<std::string>()) <
           std::make_pair(b.value("index", int64_t{0}), b["id"].get<std::string>());
  });

  // Which parameters vary: they name series (figure 1) and points (figure 3).
  std::map<std::string, std::set<std::string>> values;
  for (const auto& l : lines)
    for (const auto& [k, v] : l["params"].items()) values[k].insert(v.dump());
  std::vector<std::string> varying;
  for (const auto& [k, vs] : values)
    if (vs.size() > 1) varying.push_back(k);
  if (std::find(varying.begin(), varying.end(), "model") != varying.end()) {  // model first
    varying.erase(std::find(varying.begin(), varying.end(), "model"));
    varying.insert(varying.begin(), "model");
  }
  auto series_of = [&](const json& l) {
    std::string s;
    for (const auto& k : varying) {
      if (kNotSeries.count(k) || !l["params"].contains(k)) continue;
      const std::string v = value_text(k, l["params"][k]);
      s += (s.empty() ? "" : ", ") + (k == "model" ? v : k + " = " + v + unit_of(k));
    }
    return s.empty() ? stem(l["params"].value("model", std::string("model"))) : s;
  };
  auto series_key = [&](const json& l) {
    SeriesKey key;
    for (const auto& k : varying) {
      if (kNotSeries.count(k) || !l["params"].contains(k)) continue;
      const json& v = l["params"][k];
      key.v.push_back(v.is_number() ? std::make_pair(v.get<double>(), std::string()) : std::make_pair(0.0, value_text(k, v)));
    }
    return key;
  };
  // Series of figure 1: the varying parameters and, when several shapes share
  // a PE count, the shape class.
  std::map<int64_t, std::set<std::string>> shapes_per_pes;
  for (const auto& l : lines)
    if (column_value(l, "pes").is_number())
      shapes_per_pes[column_value(l, "pes").get<int64_t>()].insert(l["params"]["array"].get<std::string>());
  bool shared_pes = false;
  for (const auto& [pes, names] : shapes_per_pes) shared_pes = shared_pes || names.size() > 1;
  auto aspect_text = [&](const json& l) {
    return shared_pes ? aspect_of(static_cast<int64_t>(num(l, "rows")), static_cast<int64_t>(num(l, "cols"))) : std::string();
  };
  auto point_label = [&](const json& l) {
    std::string s;
    for (const auto& k : varying) {
      if (k == "key" || k == "seed" || !l["params"].contains(k)) continue;
      s += (s.empty() ? "" : " ") + (k == "model" || k == "array" ? "" : k + "=") + value_text(k, l["params"][k]) +
           (k == "model" || k == "array" ? "" : unit_of(k));
    }
    return s.empty() ? l["params"].value("array", std::string("?")) : s;
  };

  // Distinct PE counts as x tics, labelled with the shapes that have them.
  std::map<int64_t, std::set<std::string>> shapes;
  for (const auto& l : lines)
    if (column_value(l, "pes").is_number()) shapes[column_value(l, "pes").get<int64_t>()].insert(l["params"]["array"].get<std::string>());
  std::string xtics = "set xtics (";
  bool first = true;
  for (const auto& [pes, names] : shapes) {
    std::string label = std::to_string(pes) + "\\n";
    size_t n = 0;
    for (const auto& s : names) label += (n++ ? "," : "") + s;
    if (names.size() > 1) label = std::to_string(pes);  // several shapes: the legend's shape classes tell them apart
    xtics += std::string(first ? "" : ", ") + "\"" + label + "\" " + std::to_string(pes);
    first = false;
  }
  xtics += ")\n";
  const bool log_x = shapes.size() > 1 && shapes.rbegin()->first >= 4 * shapes.begin()->first;
  if (!shapes.empty()) {
    const double lo = static_cast<double>(shapes.begin()->first), hi = static_cast<double>(shapes.rbegin()->first);
    char r[96];
    if (log_x) std::snprintf(r, sizeof r, "set xrange [%g:%g]\n", lo / 1.25, hi * 1.25);
    else std::snprintf(r, sizeof r, "set xrange [%g:%g]\n", lo - 0.1 * (hi - lo + 1), hi + 0.1 * (hi - lo + 1));
    xtics += r;
  }
  xtics += "set bmargin 6\nset xlabel offset 0,-1\n";

  // Figure 1: cycles and utilisation vs array size, one line per series
  // (ordered numerically by parameter value, then by shape class).
  std::map<std::pair<SeriesKey, std::string>, std::pair<std::string, std::vector<const json*>>> series;
  for (const auto& l : lines) {
    const std::string a = aspect_text(l), base = series_of(l);
    auto& e = series[{series_key(l), a}];
    e.first = a.empty() ? base : (varying_series(varying) ? base + ", " + a : a);
    e.second.push_back(&l);
  }
  {
    std::string dat;
    std::vector<std::string> titles, styles;
    std::vector<std::string> bases, aspects;  // colour per parameter series, point type per shape class
    auto index_in = [](std::vector<std::string>& v, const std::string& x) {
      auto it = std::find(v.begin(), v.end(), x);
      if (it != v.end()) return static_cast<size_t>(it - v.begin());
      v.push_back(x);
      return v.size() - 1;
    };
    for (auto& [key, named] : series) {
      auto& [name, pts] = named;
      {
        static const char* kColour[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
        static const int kPt[] = {7, 5, 9, 11, 13, 15};
        static const int kDt[] = {1, 2, 4, 5, 3, 1};
        const size_t ci = index_in(bases, series_of(*pts.front())), ai = index_in(aspects, key.second);
        styles.push_back(" lw 2 lc rgb '" + std::string(kColour[ci % 8]) + "' pt " + std::to_string(kPt[ai % 6]) + " dt " +
                         std::to_string(kDt[ai % 6]) + " ps 1.3 title ");
      }
      std::sort(pts.begin(), pts.end(), [](const json* a, const json* b) { return num(*a, "pes") < num(*b, "pes"); });
      dat += "# " + name + "\n# pes cycles_keyed_per_batch utilisation_pct\n";
      for (const json* p : pts) {
        char row[128];
        std::snprintf(row, sizeof row, "%.0f %.0f %.3f\n", num(*p, "pes"), num(*p, "cycles_keyed"), 100 * num(*p, "util_keyed"));
        dat += row;
      }
      dat += "\n\n";
      titles.push_back(name);
    }
    write_file_atomic(out_dir + "/cycles_util.dat", dat);
    const std::string f = quote(out_dir + "/cycles_util.dat");
    std::string plot_c = "plot ", plot_u = "plot ";
    for (size_t i = 0; i < titles.size(); ++i) {
      const std::string sep = i ? ", \\\n  " : "";
      plot_c += sep + f + " index " + std::to_string(i) + " using 1:2 with linespoints" + styles[i] + quote(titles[i]);
      plot_u += sep + f + " index " + std::to_string(i) + " using 1:3 with linespoints" + styles[i] + "''";
    }
    // Many series: the legend goes below both panels (3 columns) on a taller
    // canvas, so it never covers data; few: inside, bottom left (empty there).
    std::string head, key = "set key bottom left box opaque font ',10'\n";
    if (titles.size() > 4) {
      const int rows = static_cast<int>((titles.size() + 2) / 3), legend_px = 22 * rows + 30, h = 620 + legend_px;
      char b[400];
      std::snprintf(b, sizeof b,
                    "set terminal %s size 1400,%d%s\nset termoption noenhanced\n",
                    cairo ? "pngcairo" : "png", h, cairo ? " font 'DejaVu Sans,11'" : "");
      head = b;
      std::snprintf(b, sizeof b,
                    "set key at screen 0.5,%.4f center top vertical maxrows %d box opaque font ',10'\n"
                    "set bmargin at screen %.4f\nset tmargin at screen %.4f\n",
                    static_cast<double>(legend_px) / h, rows, static_cast<double>(legend_px + 90) / h, 1.0 - 80.0 / h);
      key = b;
    }
    std::string s = head + "set multiplot layout 1,2 title " +
                    quote("Cycles and utilisation vs array size (keyed array, right key; one batch of " +
                          value_text("batch", lines.front()["report"].value("cycles", json::object()).value("per_batch_images", json(0))) +
                          " images)") +
                    "\nset grid\nset lmargin 12\nset rmargin 3\n" + xtics + key + (log_x ? "set logscale x 2\n" : "") +
                    "set xlabel \"array size: PEs = rows x cols" + std::string(log_x ? " (log scale)" : "") + "\"\n" +
                    "set logscale y 10\nset format y '%.0s%c'\nset ylabel \"cycles per batch (log scale)\"\n"
                    "set title \"Latency\"\n" + plot_c + "\nunset logscale y\nset format y '%g'\n"
                    "set yrange [0:105]\nunset key\nset ylabel \"MAC utilisation (%)\"\nset title \"Utilisation = MACs / (PEs x cycles)\"\n" +
                    plot_u + "\nunset multiplot\n";
    P.run("cycles_util", s);
  }

  // Figure 2: keyed-vs-plain area overhead, only with synthesis results.
  {
    std::map<int64_t, std::pair<std::string, double>> ov;  // pes -> (array, overhead)
    std::map<std::string, double> by_array;
    for (const auto& l : lines) {
      const double o = num(l, "area_overhead_pct");
      if (!std::isnan(o)) by_array[l["params"]["array"].get<std::string>()] = o;
    }
    if (by_array.empty()) {
      P.notes.push_back("skipped area_overhead.png: no synthesis area in the results (area.overhead_pct appears in "
                        "reports once `keymac synth --array RxC` has cached the geometry)");
    } else {
      std::vector<std::tuple<double, std::string, double>> pts;
      for (const auto& l : lines) {
        const std::string a = l["params"]["array"].get<std::string>();
        if (by_array.count(a)) pts.emplace_back(num(l, "pes"), a, by_array[a]);
      }
      std::sort(pts.begin(), pts.end());
      pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
      std::string dat = "# pes overhead_pct array\n";
      for (const auto& [pes, a, o] : pts) {
        char row[128];
        std::snprintf(row, sizeof row, "%.0f %.4f \"%s\"\n", pes, o, a.c_str());
        dat += row;
      }
      write_file_atomic(out_dir + "/area_overhead.dat", dat);
      const std::string f = quote(out_dir + "/area_overhead.dat");
      P.run("area_overhead", "set title \"Area overhead of the key: keyed vs plain array (Yosys synthesis)\"\nset grid\n" + xtics +
                                 (log_x ? "set logscale x 2\n" : "") +
                                 "set xlabel \"array size: PEs = rows x cols\"\nset ylabel \"area overhead (%)\"\n"
                                 "set yrange [0:*]\nset offsets graph 0.05, graph 0.05, graph 0.15, 0\n"
                                 "plot " + f + " using 1:2 with linespoints lw 2 pt 7 ps 1.3 title \"keyed vs plain\", \\\n  " + f +
                                 " using 1:2:(sprintf('%.2f%%', $2)) with labels offset 0,1.2 notitle\n");
    }
  }

  // Figure 3: accuracy per point: float model, int8 reference, right key,
  // wrong keys (mean, min..max), plain array, side by side.
  {
    std::string dat = "# x label float reference right_key wrong_mean wrong_min wrong_max plain\n";
    std::string tics = "set xtics (";
    size_t longest = 0;
    const int kStep = 6;  // five bars and a gap per point
    for (size_t i = 0; i < lines.size(); ++i) {
      const json& l = lines[i];
      const double x = static_cast<double>(i) * kStep;
      const std::string label = point_label(l);
      longest = std::max(longest, label.size());
      char row[320];
      std::snprintf(row, sizeof row, "%.0f %s %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", x, dat_quote(label).c_str(), num(l, "acc_float"),
                    num(l, "acc_reference"), num(l, "acc_correct_key"), num(l, "acc_wrong_mean"), num(l, "acc_wrong_min"),
                    num(l, "acc_wrong_max"), num(l, "acc_plain"));
      dat += row;
      tics += std::string(i ? ", " : "") + quote(label) + " " + std::to_string(static_cast<int>(x + 2));
    }
    tics += ")\n";
    write_file_atomic(out_dir + "/accuracy.dat", dat);
    const std::string f = quote(out_dir + "/accuracy.dat");
    const int width = std::clamp(static_cast<int>(lines.size()) * 95 + 320, 1000, 6000);
    const int images = lines.front()["report"].value("images", 0);
    // Labels are rotated by 30 degrees: they reach 0.5 x their length down and
    // 0.87 x to the left of their tic, in character widths (about 0.6 of a line
    // height); the margins (in character units) hold them.
    const int bmargin = 4 + static_cast<int>(std::ceil(0.35 * static_cast<double>(longest)));
    const int lmargin = std::max(10, static_cast<int>(std::ceil(0.8 * static_cast<double>(longest))) - 2);
    const int height = 560 + 14 * bmargin;
    std::string s = "set terminal " + std::string(cairo ? "pngcairo" : "png") + " size " + std::to_string(width) + "," +
                    std::to_string(height) + (cairo ? " font 'DejaVu Sans,11'" : "") + "\nset termoption noenhanced\n" +
                    "set title " +
                    quote("Accuracy per point (" + std::to_string(images) +
                          " test images): float model, int8 reference, right key, wrong keys (bar: mean, whisker: min..max), plain array") +
                    "\nset grid ytics\nset ylabel \"top-1 accuracy (%)\"\nset yrange [0:119]\nset ytics 0,20,100\n"
                    "set xrange [-1.5:" + std::to_string(lines.size() * kStep - 1) + ".5]\n" + tics +
                    "set xtics rotate by 30 right\nset style fill solid 0.85 border -1\nset boxwidth 0.9\n"
                    "set key inside top center horizontal box opaque\nset bmargin " + std::to_string(bmargin) +
                    "\nset lmargin " + std::to_string(lmargin) + "\nset rmargin 3\n"
                    "plot " + f + " using ($1):3 with boxes lc rgb '#2ca02c' title 'float model', \\\n  " +
                    f + " using ($1+1):4 with boxes lc rgb '#9467bd' title 'int8 reference', \\\n  " +
                    f + " using ($1+2):5 with boxes lc rgb '#1f77b4' title 'right key', \\\n  " +
                    f + " using ($1+3):6 with boxes lc rgb '#d62728' title 'wrong keys (mean)', \\\n  " +
                    f + " using ($1+3):6:7:8 with yerrorbars lc rgb 'black' pt 0 ps 0 lw 1.5 notitle, \\\n  " +
                    f + " using ($1+4):9 with boxes lc rgb '#7f7f7f' title 'plain array (locked model)', \\\n  " +
                    "10 with lines dt 2 lw 1.5 lc rgb 'black' title 'chance (10 classes)'\n";
    P.run("accuracy", s);
  }

  // Figure 4: Pareto front of latency against area.
  {
    bool have_area = true;
    std::string unit;
    for (const auto& l : lines) {
      have_area = have_area && !std::isnan(num(l, "area_keyed"));
      if (have_area && unit.empty()) unit = l["report"]["area"].value("unit", std::string());
    }
    // One front per model: points of different networks do not dominate each other.
    std::map<std::string, std::vector<std::tuple<double, double, std::string>>> by_model;  // area, latency, label
    for (const auto& l : lines)
      by_model[stem(l["params"].value("model", std::string("model")))].emplace_back(
          have_area ? num(l, "area_keyed") : num(l, "pes"), num(l, "us_per_image"), point_label(l));
    std::vector<std::tuple<double, double, std::string>> pts;
    std::string dat = "# area latency_us_per_image label\n", fdat = "# per model (gnuplot index): area latency label\n";
    std::vector<std::string> models;
    for (auto& [model, mp] : by_model) {
      std::sort(mp.begin(), mp.end());
      models.push_back(model);
      fdat += "# " + model + "\n";
      double best = INFINITY;
      for (const auto& p : mp) {
        pts.push_back(p);
        dat += std::to_string(std::get<0>(p)) + " " + std::to_string(std::get<1>(p)) + " " + dat_quote(std::get<2>(p)) + "\n";
        if (std::get<1>(p) < best) {
          best = std::get<1>(p);
          fdat += std::to_string(std::get<0>(p)) + " " + std::to_string(std::get<1>(p)) + " " + dat_quote(std::get<2>(p)) + "\n";
        }
      }
      fdat += "\n\n";
    }
    write_file_atomic(out_dir + "/pareto_all.dat", dat);
    write_file_atomic(out_dir + "/pareto_front.dat", fdat);
    const std::string xl = have_area ? "area of the keyed array (" + (unit.empty() ? std::string("synthesis") : unit) + ")"
                                     : "area proxy: PE count = rows x cols (no synthesis area in the results)";
    double ylo = INFINITY, yhi = 0, xlo = INFINITY, xhi = 0;
    for (const auto& [a, t, lab] : pts) {
      ylo = std::min(ylo, t), yhi = std::max(yhi, t), xlo = std::min(xlo, a), xhi = std::max(xhi, a);
    }
    char yr[160];
    std::snprintf(yr, sizeof yr, "set yrange [%g:%g]\n", ylo / 1.4, yhi * 1.4);
    std::string xr;
    if (have_area) {
      char b[96];
      std::snprintf(b, sizeof b, "set xrange [%g:%g]\nset bmargin 5\n", xlo / 1.25, xhi * 1.5);
      xr = b;
    } else {  // room on the right for the front's labels
      char b[96];
      std::snprintf(b, sizeof b, "set xrange [%g:%g]\n", log_x ? xlo / 1.25 : xlo - 0.1 * (xhi - xlo + 1),
                    log_x ? xhi * 3 : xhi + 0.35 * (xhi - xlo + 1));
      xr = b;
    }
    const std::string fa = quote(out_dir + "/pareto_all.dat"), ff = quote(out_dir + "/pareto_front.dat");
    static const char* kColour[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    std::string fronts;
    for (size_t i = 0; i < models.size(); ++i) {
      const std::string c = std::string("'") + kColour[i % 6] + "'", idx = " index " + std::to_string(i);
      fronts += ", \\\n  " + ff + idx + " using 1:2 with steps lw 2 lc rgb " + c + " title " + quote("Pareto front: " + models[i]) +
                ", \\\n  " + ff + idx + " using 1:2 with points pt 7 ps 1.5 lc rgb " + c + " notitle" + ", \\\n  " + ff + idx +
                " using 1:2:3 with labels left offset 1,0.6 font ',9' tc rgb " + c + " notitle";
    }
    std::string s = "set title \"Latency vs area: Pareto front (lower left is better)\"\nset grid\n" +
                    std::string(log_x ? "set logscale x 2\n" : "") + (have_area ? "" : xtics) +
                    "set xlabel " + quote(xl) + "\nset ylabel \"latency per image, keyed (us, log scale)\"\nset logscale y 10\n" + yr + xr +
                    "set key top right box opaque\n"
                    "set rmargin 4\nplot " + fa + " using 1:2 with points pt 6 ps 1.3 lc rgb '#999999' title 'sweep point'" + fronts + "\n";
    P.run("pareto", s);
  }
  return P.notes;
}

}  // namespace

}  // namespace keymac
