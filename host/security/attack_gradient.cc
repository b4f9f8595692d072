// `gradient` and `gradient-oracle`: relaxed-key optimisation on the public
// locked model (docs/SECURITY.md, "Gradient and fine-tuning attacks").
//
// One logit theta[r][c] per PE; the key sign of PE (r, c) is relaxed to
// s = 1 - 2*sigmoid(theta) = -tanh(theta/2) (key bit 1 <=> s = -1 <=> theta > 0),
// every locked weight W[k][n] is multiplied by s[k mod R][n mod C] (TorchNet),
// and Adam minimises the cross-entropy of the attacker's labelled images.
// mode "tanh" trains through the relaxed signs s = -tanh(beta*theta/2), with
// beta annealed linearly from 1 to `beta_max` so the signs harden as it
// converges; mode "ste" (straight-through)
// runs the forward pass with the hard signs and back-propagates through the
// relaxation. The hard key theta > 0 is evaluated on the attacker's own
// labelled images every `eval_every` steps; the best one is the candidate.
// `gradient-oracle` takes its labels from a device holding the right key,
// queried on the attacker's own unlabelled images (Li et al., DAC 2024).
//
// Options (--option gradient.KEY=VALUE, same keys for gradient-oracle):
//   mode (ste|tanh, default ste), steps (300), lr (0.1), batch (256),
//   init (1.0: theta ~ N(0, init^2), a random start), eval_every (10),
//   beta_max (10, tanh only).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "host/security/attack.h"
#include "host/security/torch_net.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

struct GradientSettings {
  std::string mode = "ste";
  int64_t steps = 300;
  double lr = 0.1;
  int64_t batch = 256;
  double init = 1.0;
  int64_t eval_every = 10;
  double beta_max = 10.0;
};

GradientSettings read_settings(const std::string& attack, const nlohmann::json& o) {
  GradientSettings s;
  for (const auto& [k, v] : o.items())
    if (k != "mode" && k != "steps" && k != "lr" && k != "batch" && k != "init" && k != "eval_every" && k != "beta_max")
      throw Error("--option " + attack + "." + k + ": unknown option (mode, steps, lr, batch, init, eval_every, beta_max)");
  try {
    s.mode = o.value("mode", s.mode);
    s.steps = o.value("steps", s.steps);
    s.lr = o.value("lr", s.lr);
    s.batch = o.value("batch", s.batch);
    s.init = o.value("init", s.init);
    s.eval_every = o.value("eval_every", s.eval_every);
    s.beta_max = o.value("beta_max", s.beta_max);
  } catch (const nlohmann::json::exception&) {
    throw Error("--option " + attack + ": mode is ste|tanh, the others are numbers");
  }
  if (s.mode != "ste" && s.mode != "tanh") throw Error("--option " + attack + ".mode: must be ste or tanh, not " + s.mode);
  if (s.steps < 0 || s.steps > 1000000) throw Error("--option " + attack + ".steps: must be 0..1000000");
  if (!(s.lr > 0) || !std::isfinite(s.lr)) throw Error("--option " + attack + ".lr: must be positive");
  if (s.batch < 1) throw Error("--option " + attack + ".batch: must be >= 1");
  if (!(s.init >= 0) || !std::isfinite(s.init)) throw Error("--option " + attack + ".init: must be >= 0");
  if (!(s.beta_max >= 1) || !std::isfinite(s.beta_max)) throw Error("--option " + attack + ".beta_max: must be >= 1");
  if (s.eval_every < 1) throw Error("--option " + attack + ".eval_every: must be >= 1");
  return s;
}

Key hard_key(const torch::Tensor& theta, Geometry g) {
  Key k(g);
  auto t = theta.detach().contiguous();
  const float* p = t.data_ptr<float>();
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) k.set(r, c, p[r * g.cols + c] > 0.0f);
  return k;
}

class GradientAttack : public Attack {
 public:
  explicit GradientAttack(bool oracle) : oracle_(oracle) {}
  std::string name() const override { return oracle_ ? "gradient-oracle" : "gradient"; }
  std::string threat_model() const override {
    return oracle_ ? "locked package, geometry, --queries unlabelled images of its own labelled by queries to a device "
                     "holding the key (top-1 label only)"
                   : "locked package, geometry, --images labelled training images; no device";
  }
  bool needs_device() const override { return oracle_; }
  std::vector<std::string> option_names() const override {
    return {"mode", "steps", "lr", "batch", "init", "eval_every", "beta_max"};
  }

  AttackOutcome run(const AttackContext& ctx) override {
    const GradientSettings set = read_settings(name(), ctx.options);
    torch::set_num_threads(std::max(1, std::min(ctx.threads, 2)));
    const Geometry g = ctx.geometry;
    AttackOutcome out;
    const ImageSet& data = oracle_ ? *ctx.unlabelled : *ctx.labelled;
    const int64_t n = data.count;
    if (n < 1)
      throw Error(name() + (oracle_ ? ": needs --queries N > 0 unlabelled images" : ": needs --images N > 0 labelled images"));
    torch::Tensor y;
    if (oracle_) {
      if (!ctx.device) throw Error(name() + ": no device to query");
      const auto labels = ctx.device->query_labels(data.pixels.data(), n);
      y = torch::empty({n}, torch::kInt64);
      for (int64_t i = 0; i < n; ++i) y[i] = static_cast<int64_t>(labels[static_cast<size_t>(i)]);
      out.unlabelled_images = n;
      out.queries = ctx.device->queries();
    } else {
      y = labels_tensor(data, 0, n);
      out.labelled_images = n;
    }
    const torch::Tensor x = images_tensor(data, 0, n, *ctx.locked);

    TorchNet net(*ctx.locked);
    for (auto& p : net.parameters()) p.set_requires_grad(false);
    torch::manual_seed(ctx.seed);
    torch::Tensor theta = (torch::randn({g.rows, g.cols}) * set.init).set_requires_grad(true);
    torch::optim::Adam adam({theta}, torch::optim::AdamOptions(set.lr));

    const int64_t batch = std::min(set.batch, n);
    torch::Tensor perm = torch::randperm(n, torch::kInt64);
    int64_t pos = 0;
    Key best = hard_key(theta, g);
    double best_acc = -1.0;
    int64_t best_step = 0, passes = 0, steps_done = 0;
    auto evaluate = [&](int64_t step) {
      const Key k = hard_key(theta, g);
      const torch::Tensor s = torch::where(theta.detach() > 0, -torch::ones_like(theta), torch::ones_like(theta));
      const double acc = torch_accuracy(net, x, y, &s);
      passes += n;
      if (acc >= best_acc) {  // ties: the later (further optimised) key
        best_acc = acc;
        best = k;
        best_step = step;
      }
    };
    evaluate(0);
    for (int64_t step = 1; step <= set.steps; ++step) {
      if (ctx.stopped()) {
        out.complete = false;
        break;
      }
      if (pos + batch > n) {
        perm = torch::randperm(n, torch::kInt64);
        pos = 0;
      }
      const auto idx = perm.narrow(0, pos, batch);
      pos += batch;
      const double beta = set.mode == "tanh" && set.steps > 1
                              ? 1.0 + (set.beta_max - 1.0) * static_cast<double>(step - 1) / static_cast<double>(set.steps - 1)
                              : 1.0;
      const torch::Tensor soft = -torch::tanh(theta * (beta / 2));
      torch::Tensor s = soft;
      if (set.mode == "ste") {
        const torch::Tensor hard = torch::where(theta.detach() > 0, -torch::ones_like(soft), torch::ones_like(soft));
        s = hard + (soft - soft.detach());
      }
      const torch::Tensor loss = torch::nn::functional::cross_entropy(net.forward(x.index_select(0, idx), s),
                                                                      y.index_select(0, idx));
      adam.zero_grad();
      loss.backward();
      adam.step();
      passes += batch;
      steps_done = step;
      if (step % set.eval_every == 0 || step == set.steps) {
        evaluate(step);
        ctx.report("step", step, set.steps);
      }
    }
    out.candidate = best;
    out.forward_passes = passes;
    out.detail["mode"] = set.mode;
    out.detail["label_source"] = oracle_ ? "device queries" : "labelled images";
    out.detail["steps"] = steps_done;
    out.detail["lr"] = set.lr;
    out.detail["batch"] = batch;
    out.detail["init"] = set.init;
    if (set.mode == "tanh") out.detail["beta_max"] = set.beta_max;
    out.detail["seed"] = ctx.seed;
    out.detail["own_data_accuracy"] = best_acc;  // of the candidate, on the attacker's (labelled or queried) images
    out.detail["best_step"] = best_step;
    return out;
  }

 private:
  bool oracle_;
};

}  // namespace

std::unique_ptr<Attack> make_gradient_attack() { return std::make_unique<GradientAttack>(false); }
std::unique_ptr<Attack> make_gradient_oracle_attack() { return std::make_unique<GradientAttack>(true); }

}  // namespace keymac
