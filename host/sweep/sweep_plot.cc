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
      s += (s.empty() ? "" : ", ") + (k == "model" ? v : k + "=" + v);
    }
    return s.empty() ? stem(l["params"].value("model", std::string("model"))) : s;
  };
  auto point_label = [&](const json& l) {
    std::string s;
    for (const auto& k : varying) {
      if (k == "key" || k == "seed" || !l["params"].contains(k)) continue;
      s += (s.empty() ? "" : " ") + (k == "model" || k == "array" ? "" : k + "=") + value_text(k, l["params"][k]);
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
    if (names.size() > 2) label = std::to_string(pes) + "\\n" + std::to_string(names.size()) + " shapes";
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

  // Figure 1: cycles and utilisation vs array size, one line per series.
  std::map<std::string, std::vector<const json*>> series;
  for (const auto& l : lines) series[series_of(l)].push_back(&l);
  {
    std::string dat;
    std::vector<std::string> titles;
    for (auto& [name, pts] : series) {
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
      plot_c += sep + f + " index " + std::to_string(i) + " using 1:2 with linespoints lw 2 pt 7 ps 1.2 title " + quote(titles[i]);
      plot_u += sep + f + " index " + std::to_string(i) + " using 1:3 with linespoints lw 2 pt 7 ps 1.2 title " + quote(titles[i]);
    }
    std::string s = "set multiplot layout 1,2 title " +
                    quote("Cycles and utilisation vs array size (keyed array, right key; one batch of " +
                          value_text("batch", lines.front()["report"].value("cycles", json::object()).value("per_batch_images", json(0))) +
                          " images)") +
                    "\nset grid\nset key top right box opaque\n" + xtics + (log_x ? "set logscale x 2\n" : "") +
                    "set xlabel \"array size: PEs = rows x cols" + std::string(log_x ? " (log scale)" : "") + "\"\n" +
                    "set logscale y 10\nset format y '%.0s%c'\nset ylabel \"cycles per batch (log scale)\"\n"
                    "set title \"Latency\"\n" + plot_c + "\nunset logscale y\nset format y '%g'\n"
                    "set yrange [0:105]\nset key bottom left\nset ylabel \"MAC utilisation (%)\"\nset title \"Utilisation = MACs / (PEs x cycles)\"\n" +
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

  // Figure 3: accuracy per point: right key, wrong keys (mean, min..max), plain array.
  {
    std::string dat = "# x label right_key wrong_mean wrong_min wrong_max plain reference\n";
    std::string tics = "set xtics (";
    for (size_t i = 0; i < lines.size(); ++i) {
      const json& l = lines[i];
      const double x = static_cast<double>(i) * 4;
      char row[256];
      std::snprintf(row, sizeof row, "%.0f %s %.3f %.3f %.3f %.3f %.3f %.3f\n", x, dat_quote(point_label(l)).c_str(),
                    num(l, "acc_correct_key"), num(l, "acc_wrong_mean"), num(l, "acc_wrong_min"), num(l, "acc_wrong_max"),
                    num(l, "acc_plain"), num(l, "acc_reference"));
      dat += row;
      tics += std::string(i ? ", " : "") + quote(point_label(l)) + " " + std::to_string(static_cast<int>(x + 1));
    }
    tics += ")\n";
    write_file_atomic(out_dir + "/accuracy.dat", dat);
    const std::string f = quote(out_dir + "/accuracy.dat");
    const int width = std::clamp(static_cast<int>(lines.size()) * 70 + 300, 900, 4000);
    const int images = lines.front()["report"].value("images", 0);
    std::string s = "set terminal " + std::string(cairo ? "pngcairo" : "png") + " size " + std::to_string(width) + ",650" +
                    (cairo ? " font 'DejaVu Sans,11'" : "") + "\nset termoption noenhanced\n" +
                    "set title " +
                    quote("Accuracy per point (" + std::to_string(images) +
                          " test images): right key, wrong keys (bar: mean, whisker: min..max), plain array") +
                    "\nset grid ytics\nset ylabel \"top-1 accuracy (%)\"\nset yrange [0:119]\nset ytics 0,20,100\n"
                    "set xrange [-1.5:" + std::to_string(lines.size() * 4 - 1) + ".5]\n" + tics +
                    "set xtics rotate by 30 right\nset style fill solid 0.85 border -1\nset boxwidth 0.9\n"
                    "set key inside top center horizontal box opaque\nset bmargin 7\n"
                    "plot " + f + " using ($1):3 with boxes lc rgb '#1f77b4' title 'right key', \\\n  " +
                    f + " using ($1+1):4 with boxes lc rgb '#d62728' title 'wrong keys (mean)', \\\n  " +
                    f + " using ($1+1):4:5:6 with yerrorbars lc rgb 'black' pt 0 ps 0 lw 1.5 notitle, \\\n  " +
                    f + " using ($1+2):7 with boxes lc rgb '#7f7f7f' title 'plain array (locked model)', \\\n  " +
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
    std::vector<std::tuple<double, double, std::string>> pts;  // area, latency, label
    for (const auto& l : lines)
      pts.emplace_back(have_area ? num(l, "area_keyed") : num(l, "pes"), num(l, "us_per_image"), point_label(l));
    std::sort(pts.begin(), pts.end());
    std::vector<std::tuple<double, double, std::string>> front;
    double best = INFINITY;
    for (const auto& p : pts)
      if (std::get<1>(p) < best) {
        best = std::get<1>(p);
        front.push_back(p);
      }
    std::string dat = "# area latency_us_per_image label\n", fdat = dat;
    for (const auto& [a, t, lab] : pts) dat += std::to_string(a) + " " + std::to_string(t) + " " + dat_quote(lab) + "\n";
    for (const auto& [a, t, lab] : front) fdat += std::to_string(a) + " " + std::to_string(t) + " " + dat_quote(lab) + "\n";
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
    }
    const std::string fa = quote(out_dir + "/pareto_all.dat"), ff = quote(out_dir + "/pareto_front.dat");
    std::string s = "set title \"Latency vs area: Pareto front (lower left is better)\"\nset grid\n" +
                    std::string(log_x ? "set logscale x 2\n" : "") + (have_area ? "" : xtics) +
                    "set xlabel " + quote(xl) + "\nset ylabel \"latency per image, keyed (us, log scale)\"\nset logscale y 10\n" + yr + xr +
                    "set key top right box opaque\n"
                    "plot " + fa + " using 1:2 with points pt 6 ps 1.3 lc rgb '#999999' title 'sweep point', \\\n  " + ff +
                    " using 1:2 with steps lw 2 lc rgb '#d62728' title 'Pareto front', \\\n  " + ff +
                    " using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' notitle, \\\n  " + ff +
                    " using 1:2:3 with labels left offset 1,0.6 font ',9' notitle\n";
    P.run("pareto", s);
  }
  return P.notes;
}

}  // namespace

}  // namespace keymac
