#include "host/security/attack_plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

extern char** environ;

namespace keymac {

namespace {

nlohmann::json load(const std::string& path) {
  try {
    return nlohmann::json::parse(read_text_file(path, "attack report"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not a JSON attack report (" + std::string(e.what()) + ")");
  }
}

std::string gp_quote(const std::string& s) {  // gnuplot double-quoted string
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') { o += "\\n"; continue; }
    o += c;
  }
  return o + "\"";
}

std::string safe_name(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  return o;
}

}  // namespace

void run_gnuplot(const std::string& script, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string prog = "gnuplot";
  std::vector<char*> argv = {prog.data(), const_cast<char*>(script.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "gnuplot", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw Error("gnuplot: cannot run (" + std::string(std::strerror(rc)) + "; Debian: apt-get install gnuplot-nox)");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string e;
    try {
      e = read_text_file(err_path, "gnuplot stderr");
    } catch (...) {
    }
    for (auto& c : e) if (c == '\n') c = ' ';
    throw Error(script + ": gnuplot failed: " + e.substr(0, 300));
  }
}

bool is_attack_report(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_text_file(path, "report"));
    return j.is_object() && j.contains("attacks") && j["attacks"].is_array();
  } catch (...) {
    return false;
  }
}

std::vector<std::string> plot_attack_report(const std::string& path, const std::string& dir) {
  const auto r = load(path);
  if (!r.is_object() || !r.contains("attacks")) throw Error(path + ": not a `keymac attack --json` report (no \"attacks\")");
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw Error(dir + ": cannot create the output directory: " + std::strerror(errno));
  std::vector<std::string> out;
  const std::string title = fmt::format("{} on {}x{}", r.value("model", std::string("model")), r["array"].value("rows", 0),
                                        r["array"].value("cols", 0));
  auto emit = [&](const std::string& name, const std::string& data, const std::string& body, const std::string& what) {
    const std::string base = dir + "/" + name;
    write_file_atomic(base + ".dat", data);
    const std::string gp = "set terminal pngcairo size 900,600 noenhanced\nset output " + gp_quote(base + ".png") +
                           "\nset grid\nset key top right\n" + body;
    write_file_atomic(base + ".gp", gp);
    run_gnuplot(base + ".gp", base + ".gnuplot-stderr.txt");
    ::unlink((base + ".gnuplot-stderr.txt").c_str());
    out.push_back("wrote " + base + ".png (" + what + ")");
  };
  for (const auto& a : r["attacks"]) {
    const std::string an = safe_name(a.value("attack", std::string("attack")));
    if (a.contains("curve") && !a["curve"].empty()) {
      std::string d;
      double right = 0;
      for (const auto& p : a["curve"]) {
        if (p["d"].get<int>() == 0) right = p["mean"].get<double>();
        else d += fmt::format("{} {} {} {}\n", p["d"].get<int>(), p["mean"].get<double>(), p["min"].get<double>(), p["max"].get<double>());
      }
      emit(an + "_hamming", d,
           fmt::format("set key bottom left\nset title {}\nset xlabel \"Hamming distance d of the key from the right key (bits)\"\n"
                       "set ylabel \"top-1 accuracy (%)\"\nset logscale x 2\nset yrange [0:100]\n"
                       "plot {} using 1:2:3:4 with yerrorlines title \"mean (bars: min..max)\", {} title \"right key (d = 0)\" dt 2\n",
                       gp_quote("accuracy vs key distance: " + title), gp_quote(dir + "/" + an + "_hamming.dat"), right),
           "accuracy vs Hamming distance");
    }
    if (a.contains("sensitivity") && !a["sensitivity"].empty()) {
      std::string d;
      const size_t rows = a["sensitivity"].size(), cols = a["sensitivity"][0].size();
      const bool master = a.value("key_mode", std::string("periodic")) == "expanded";  // one row of 80 master-key bits
      for (const auto& row : a["sensitivity"]) {
        for (const auto& v : row) d += fmt::format("{} ", v.get<double>());
        d += "\n";
      }
      emit(an + "_sensitivity", d,
           fmt::format("set title {}\nset xlabel \"{}\"\nset ylabel \"{}\"\nset xrange [-0.5:{}]\nset yrange [{}:-0.5]\n"
                       "set cblabel \"accuracy drop with only {} wrong (points)\"\nset palette rgb 33,13,10\n"
                       "plot {} matrix with image notitle\n",
                       gp_quote("per-bit key sensitivity: " + title), master ? "master-key bit i" : "PE column c",
                       master ? "" : "PE row r", static_cast<double>(cols) - 0.5,
                       static_cast<double>(rows) - 0.5, master ? "bit i" : "bit (r,c)", gp_quote(dir + "/" + an + "_sensitivity.dat")),
           "per-bit sensitivity map");
    }
    if (a.contains("bits_vs_cycles") && !a["bits_vs_cycles"].empty()) {
      std::string d0, dn;
      int64_t maxc = 0;
      for (const auto& p : a["bits_vs_cycles"]) maxc = std::max<int64_t>(maxc, p["cycles"].get<int64_t>());
      // An expanded key has no R x C bits to recover: plot the first fold's key plane instead.
      const bool per_pe = a["bits_vs_cycles"][0]["bits_recovered"].is_null();
      auto bits = [&](const nlohmann::json& p) {
        return per_pe ? p.value("first_fold_bits_recovered", 0) : p["bits_recovered"].get<int>();
      };
      for (const auto& p : a["bits_vs_cycles"]) {
        if (p["noise_sigma"].get<double>() == 0) d0 += fmt::format("{} {}\n", p["cycles"].get<int64_t>(), bits(p));
        if (p["cycles"].get<int64_t>() == maxc) dn += fmt::format("{} {}\n", p["noise_sigma"].get<double>(), bits(p));
      }
      const int total = per_pe ? a.value("array_pes", 0) : a.value("bits_total", 0);
      emit(an + "_bits_vs_cycles", d0,
           fmt::format("set key bottom right\nset title {}\nset xlabel \"traced cycles\"\nset ylabel \"{} (of {})\"\nset logscale x 2\n"
                       "set yrange [0:{}]\nplot {} using 1:2 with linespoints title \"no noise\", {} title \"all bits\" dt 2\n",
                       gp_quote("power side channel: " + title), per_pe ? "first-fold key bits recovered" : "key bits recovered", total, total + 8, gp_quote(dir + "/" + an + "_bits_vs_cycles.dat"), total),
           "power attack: bits vs cycles");
      emit(an + "_bits_vs_noise", dn,
           fmt::format("set key bottom left\nset title {}\nset xlabel \"Gaussian noise sigma (register toggles per cycle)\"\n"
                       "set ylabel \"{} (of {})\"\nset yrange [0:{}]\n"
                       "plot {} using 1:2 with linespoints title \"{} traced cycles\", {} title \"all bits\" dt 2\n",
                       gp_quote("power side channel vs noise: " + title), per_pe ? "first-fold key bits recovered" : "key bits recovered", total, total + 8,
                       gp_quote(dir + "/" + an + "_bits_vs_noise.dat"), maxc, total),
           "power attack: bits vs noise");
    }
    if (a.contains("table") && !a["table"].empty()) {  // finetune: fine-tuned vs from scratch (attack_finetune.cc)
      std::string d;
      for (const auto& p : a["table"])
        d += fmt::format("{} {} {} {} {}\n", 100.0 * p["fraction"].get<double>(), p["finetune_mean"].get<double>(),
                         p["finetune_std"].get<double>(), p["scratch_mean"].get<double>(), p["scratch_std"].get<double>());
      const std::string dat = gp_quote(dir + "/" + an + "_vs_scratch.dat");
      emit(an + "_vs_scratch", d,
           fmt::format("set title {}\nset xlabel \"training images used (% of the training set)\"\n"
                       "set ylabel \"top-1 test accuracy (%)\"\nset yrange [0:100]\nset key bottom right\n"
                       "plot {} using 1:2:3 with yerrorlines title \"fine-tuned locked weights (mean, bars: std)\", "
                       "{} using 1:4:5 with yerrorlines title \"same network from scratch\", "
                       "{} title \"unlocked model (right key, int8)\" dt 2\n",
                       gp_quote(fmt::format("fine-tuning vs training from scratch ({} epochs): {}",
                                            a["table"][0].value("epochs", 0), title)),
                       dat, dat, a.value("right_key_accuracy", 0.0)),
           "fine-tune vs scratch");
    }
  }
  if (out.empty()) throw Error(path + ": the report has no curve, sensitivity map, power curve or fine-tune table to plot");
  return out;
}

}  // namespace keymac
