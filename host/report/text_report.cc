#include "host/report/text_report.h"

#include <fmt/format.h>

namespace keymac {

namespace {
std::string pct(const nlohmann::json& v) {
  return v.is_null() ? std::string("    n/a") : fmt::format("{:6.2f} %", v.get<double>());
}
}  // namespace

std::string text_report(const nlohmann::json& r) {
  std::string o;
  const auto& a = r["array"];
  const std::string geo = fmt::format("{}x{}", a["rows"].get<int>(), a["cols"].get<int>());
  o += fmt::format("keymac run: {} ({})\n", r["model"].get<std::string>(), r["model_kind"].get<std::string>());
  o += fmt::format("array {} keyed vs plain, backend {}, {} test images, batch {}, clock {} MHz{}\n\n", geo,
                   r["backend"].get<std::string>(), r["images"].get<int64_t>(), r["batch"].get<int64_t>(),
                   r["clock_mhz"].get<double>(), r["complete"].get<bool>() ? "" : "  ** INTERRUPTED: partial results **");
  if (r.contains("dataset")) o += "dataset " + r["dataset"].get<std::string>() + "\n\n";  // issue 12: keymac run --dataset
  const auto& acc = r["accuracy"];
  const auto& wk = acc["wrong_key"];
  const auto& rk = r["right_key_vs_reference"];
  o += "Accuracy (top-1)\n";
  o += fmt::format("  {:<46} {}\n", "float model", pct(acc["float"]));
  o += fmt::format("  {:<46} {}\n", "int8 reference: unlocked model, plain array", pct(acc["reference"]));
  o += fmt::format("  {:<46} {}   predictions identical to reference: {}/{}{}\n", "locked model, keyed array, right key",
                   pct(acc["correct_key"]), rk["identical_predictions"].get<int64_t>(), rk["images"].get<int64_t>(),
                   rk["scores_bit_identical"].get<bool>() ? ", scores bit-identical" : "");
  if (wk["n"].get<int>() > 0)
    o += fmt::format("  {:<46} {}   (min {:.2f} %, max {:.2f} %)\n",
                     fmt::format("locked model, keyed array, {} wrong keys (mean)", wk["n"].get<int>()), pct(wk["mean"]),
                     wk["min"].get<double>(), wk["max"].get<double>());
  o += fmt::format("  {:<46} {}\n\n", "locked model, plain array", pct(acc["plain_array"]));

  const auto& c = r["cycles"];
  o += fmt::format("Latency per batch of {} images at {} MHz\n", c["per_batch_images"].get<int64_t>(), r["clock_mhz"].get<double>());
  o += fmt::format("  {:<20} {:>7} {:>6} {:>6} {:>6} {:>12} {:>12} {:>8} {:>7}\n", "layer", "M", "K", "N", "folds", "cycles keyed",
                   "cycles plain", "stalls", "util");
  for (const auto& l : r["layers"])
    o += fmt::format("  {:<20} {:>7} {:>6} {:>6} {:>6} {:>12} {:>12} {:>8} {:>6.1f}%\n", l["name"].get<std::string>().substr(0, 20),
                     l["M"].get<int64_t>(), l["K"].get<int64_t>(), l["N"].get<int64_t>(), l["folds"].get<int64_t>(),
                     l["cycles"].get<uint64_t>(), l["cycles_plain"].get<uint64_t>(), l["stall_cycles"].get<uint64_t>(),
                     100 * l["utilisation"].get<double>());
  o += fmt::format("  {:<20} {:>36} {:>12} {:>12} {:>8} {:>6.1f}%\n", "total", "", c["keyed"].get<uint64_t>(), c["plain"].get<uint64_t>(), "",
                   100 * r["utilisation"]["keyed"].get<double>());
  const auto& t = r["time_us"];
  o += fmt::format("  time per batch: keyed {:.2f} us, plain {:.2f} us (key adds {} cycles); per image {:.3f} us\n",
                   t["keyed_per_batch"].get<double>(), t["plain_per_batch"].get<double>(), c["extra_for_key"].get<int64_t>(),
                   t["keyed_per_image"].get<double>());
  o += fmt::format("  whole run: {} cycles keyed, {} plain\n\n", c["keyed_total"].get<uint64_t>(), c["plain_total"].get<uint64_t>());
  const auto& k = r["key"];
  o += "Key storage                    keyed      plain\n";
  o += fmt::format("  key bits                  {:>10} {:>10}\n", k["bits"].get<int64_t>(), 0);
  o += fmt::format("  key-register flip-flops   {:>10} {:>10}\n", k["register_bits"].get<int64_t>(), 0);
  o += fmt::format("  key load (once per reset) {:>10} {:>10}  cycles\n", k["load_cycles"].get<int64_t>(), 0);
  if (k.contains("mode") && k["mode"] == "expanded")
    o += fmt::format("  expanded key: Trivium, nonce {}, warm-up {} cycles per layer (included above)\n",
                     k["nonce"].get<std::string>(), k["warmup_cycles_per_layer"].get<int64_t>());
  if (r.contains("area")) {
    const auto& ar = r["area"];
    o += fmt::format("  area proxy (Yosys, {})  {:>10.0f} {:>10.0f}  transistors, {} key overhead {:.3f} %\n",
                     ar.value("flow", std::string("flat")), ar["keyed"].get<double>(), ar["plain"].get<double>(),
                     ar.value("mode", std::string("periodic")), ar["overhead_pct"].get<double>());
  }
  return o;
}

}  // namespace keymac
