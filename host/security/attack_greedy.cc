// `greedy`: bit-flip hill climbing on the attacker's labelled images. From a
// random key (option start=random, default) or from the `datafree` result
// (start=datafree), every sweep tries each key bit once and keeps a flip
// when it lowers the mean cross-entropy of the locked model's int8 scores on
// the labelled set; stops after `sweeps` sweeps (default 3) or a sweep that
// changes nothing. objective=errors climbs the number of misclassified
// labelled images instead of the cross-entropy. With start=datafree the
// datafree start reads the same options (e.g. images=0: data-free only).
#include <algorithm>
#include <random>

#include "host/security/attack.h"
#include "host/security/attack_util.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

class GreedyAttack : public Attack {
 public:
  std::string name() const override { return "greedy"; }
  std::string threat_model() const override {
    return "locked package + geometry + the attacker's labelled images (--images); its own inference with candidate keys";
  }

  // Its own, and the datafree start's (which reads the same options).
  std::vector<std::string> option_names() const override {
    return {"start", "sweeps", "objective", "images", "brute_force_bits", "rounds"};
  }

  AttackOutcome run(const AttackContext& ctx) override {
    AttackOutcome out;
    const Geometry g = ctx.geometry;
    const std::string start = ctx.options.value("start", std::string("random"));
    const int sweeps = std::max(1, ctx.options.value("sweeps", 3));
    const std::string objective = ctx.options.value("objective", std::string("loss"));
    if (objective != "loss" && objective != "errors")
      throw Error("--option greedy.objective: '" + objective + "' is not loss or errors");
    if (!ctx.labelled || ctx.labelled->count == 0) throw Error("greedy: needs labelled images (--images N, N > 0)");
    const ImageSet& data = *ctx.labelled;
    Key key(g);
    if (start == "random") {
      key = Key::seeded_random(g, ctx.seed ^ 0x677265656479ull);
    } else if (start == "datafree") {
      AttackOutcome df = make_datafree_attack()->run(ctx);
      if (!df.candidate) throw Error("greedy: the datafree start found no key");
      key = *df.candidate;
      out.labelled_images = df.labelled_images;
    } else {
      throw Error("--option greedy.start: '" + start + "' is not random or datafree");
    }
    out.labelled_images = std::max(out.labelled_images, data.count);
    auto cost = [&](const Key& k) {
      if (objective == "loss") return labelled_loss(*ctx.evaluator, k, data, data.count);
      return static_cast<double>(data.count) * (1.0 - ctx.evaluator->accuracy(&k, data) / 100.0);
    };
    double best = cost(key);
    const double start_loss = best;
    std::mt19937_64 rng(ctx.seed ^ 0x6f72646572ull);
    std::vector<int> order(static_cast<size_t>(g.pes()));
    for (int i = 0; i < g.pes(); ++i) order[static_cast<size_t>(i)] = i;
    nlohmann::json trace = nlohmann::json::array();
    int done_sweeps = 0;
    int64_t flips = 0;
    for (int s = 0; s < sweeps && out.complete; ++s) {
      std::shuffle(order.begin(), order.end(), rng);
      int changed = 0;
      for (size_t i = 0; i < order.size(); ++i) {
        if (ctx.stopped()) {
          out.complete = false;
          break;
        }
        const int r = order[i] / g.cols, c = order[i] % g.cols;
        key.flip(r, c);
        const double l = cost(key);
        if (l < best - 1e-9) {
          best = l;
          ++changed;
        } else {
          key.flip(r, c);
        }
        ctx.report("sweep " + std::to_string(s + 1), static_cast<int64_t>(i + 1), g.pes());
      }
      if (!out.complete) break;
      ++done_sweeps;
      flips += changed;
      trace.push_back({{"sweep", s + 1}, {"flips", changed}, {"loss", best}});
      out.scored.push_back({"sweeps_trace", {{"sweep", s + 1}, {"loss", best}}, key, false});
      if (changed == 0) break;
    }
    out.candidate = key;
    out.detail["start"] = start;
    out.detail["objective"] = objective;
    out.detail["start_loss"] = start_loss;
    out.detail["final_loss"] = best;
    out.detail["sweeps_done"] = done_sweeps;
    out.detail["flips_kept"] = flips;
    return out;
  }
};

}  // namespace

std::unique_ptr<Attack> make_greedy_attack() { return std::make_unique<GreedyAttack>(); }

}  // namespace keymac
