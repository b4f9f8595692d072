// `distance`: accuracy vs Hamming distance of the key, and the per-bit
// sensitivity map. Both use the true key by definition, so they go through
// the sealed KeyProbe (the attack sees accuracies only).
// Distances count the key's secret bits (KeyProbe::secret_bits(): R*C for a
// periodic key, the 80 master-key bits for an expanded one); the sensitivity
// map is R x C (periodic) or one row of 80 master-key bits (expanded).
// Options: keys (per d, default 5), sensitivity (default true).
#include <algorithm>
#include <random>

#include "host/security/attack.h"

namespace keymac {

namespace {

class DistanceAttack : public Attack {
 public:
  std::string name() const override { return "distance"; }
  std::string threat_model() const override {
    return "measurement, not an attack: keys at Hamming distance d from the true key (what key-search attacks climb)";
  }
  bool needs_probe() const override { return true; }
  std::vector<std::string> option_names() const override { return {"keys", "sensitivity"}; }

  AttackOutcome run(const AttackContext& ctx) override {
    AttackOutcome out;
    KeyProbe& probe = *ctx.probe;
    const Geometry g = ctx.geometry;
    const int per_d = ctx.options.value("keys", 5);
    const bool sens = ctx.options.value("sensitivity", true);
    const int bits = probe.secret_bits();
    const bool periodic = probe.key_mode() == KeyMode::kPeriodic;
    const int map_rows = periodic ? g.rows : 1, map_cols = periodic ? g.cols : bits;
    std::vector<int> ds = {0};
    for (int d = 1; d < bits / 2; d *= 2) ds.push_back(d);
    if (bits / 2 > 0) ds.push_back(bits / 2);
    ds.erase(std::unique(ds.begin(), ds.end()), ds.end());
    const int64_t total = 1 + static_cast<int64_t>(ds.size() - 1) * per_d + (sens ? bits : 0);
    int64_t done = 0;
    std::mt19937_64 rng(ctx.seed ^ 0x64697374616e6365ull);
    nlohmann::json curve = nlohmann::json::array();
    for (int d : ds) {
      const int n = d == 0 ? 1 : per_d;
      double sum = 0, lo = 1e9, hi = -1e9;
      int ran = 0;
      for (int i = 0; i < n; ++i) {
        if (ctx.stopped()) break;
        const double a = probe.accuracy_at_distance(d, rng);
        sum += a, lo = std::min(lo, a), hi = std::max(hi, a), ++ran;
        ctx.report("Hamming curve", ++done, total);
      }
      if (ran < n) {  // interrupted: only finished points are reported
        out.complete = false;
        break;
      }
      curve.push_back({{"d", d}, {"mean", sum / ran}, {"min", lo}, {"max", hi}, {"n", ran}});
    }
    out.detail["curve"] = curve;
    out.detail["keys_per_distance"] = per_d;
    if (sens && out.complete) {
      const double right = probe.right_key_accuracy();
      nlohmann::json map = nlohmann::json::array();
      double worst = 0, sum = 0;
      for (int r = 0; r < map_rows && out.complete; ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (int c = 0; c < map_cols; ++c) {
          if (ctx.stopped()) {
            out.complete = false;
            break;
          }
          const double drop = right - probe.accuracy_with_bit_flipped(r * map_cols + c);
          row.push_back(drop);
          worst = std::max(worst, drop);
          sum += drop;
          ctx.report("sensitivity map", ++done, total);
        }
        map.push_back(row);
      }
      if (out.complete) {
        out.detail["sensitivity"] = map;  // accuracy drop (points) with only bit (r, c) wrong
        out.detail["sensitivity_bits"] = periodic ? "PE (r, c)" : "master-key bit i (one row)";
        out.detail["sensitivity_max_drop"] = worst;
        out.detail["sensitivity_mean_drop"] = sum / bits;
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Attack> make_distance_attack() { return std::make_unique<DistanceAttack>(); }

}  // namespace keymac
