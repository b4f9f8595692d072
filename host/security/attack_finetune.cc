// `finetune`: the attacker ignores the key and fine-tunes the locked weights,
// dequantised to float as a plain float accelerator runs them (TorchNet), on
// a fraction of the training set, against training the same architecture
// from scratch (PyTorch's default init) on the same images with the same
// epochs, batch order and optimiser (docs/SECURITY.md, "Gradient and
// fine-tuning attacks"). The harness reports the unlocked (right-key)
// accuracy next to it; the attack never sees the key.
//
// Every cell runs `seeds` seeds (ctx.seed, ctx.seed+1, ...): the seed draws
// the training subset, the scratch init and the batch order. Accuracies are
// float top-1 on the harness's test set.
//
// Options (--option finetune.KEY=VALUE): fractions ([0.01,0.05,0.1]),
//   seeds (3), epochs (5), batch (64), lr (0.001; Adam).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "host/security/attack.h"
#include "host/security/torch_net.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

struct FinetuneSettings {
  std::vector<double> fractions{0.01, 0.05, 0.10};
  int64_t seeds = 3;
  int64_t epochs = 5;
  int64_t batch = 64;
  double lr = 1e-3;
};

FinetuneSettings read_settings(const nlohmann::json& o) {
  FinetuneSettings s;
  for (const auto& [k, v] : o.items())
    if (k != "fractions" && k != "seeds" && k != "epochs" && k != "batch" && k != "lr")
      throw Error("--option finetune." + k + ": unknown option (fractions, seeds, epochs, batch, lr)");
  try {
    if (o.contains("fractions"))
      s.fractions = o["fractions"].is_array() ? o["fractions"].get<std::vector<double>>()
                                              : std::vector<double>{o["fractions"].get<double>()};
    s.seeds = o.value("seeds", s.seeds);
    s.epochs = o.value("epochs", s.epochs);
    s.batch = o.value("batch", s.batch);
    s.lr = o.value("lr", s.lr);
  } catch (const nlohmann::json::exception&) {
    throw Error("--option finetune: fractions is a number or [list], the others are numbers");
  }
  if (s.fractions.empty()) throw Error("--option finetune.fractions: empty");
  for (double f : s.fractions)
    if (!(f > 0 && f <= 1)) throw Error("--option finetune.fractions: each must be in (0, 1], not " + std::to_string(f));
  if (s.seeds < 1 || s.seeds > 100) throw Error("--option finetune.seeds: must be 1..100");
  if (s.epochs < 0 || s.epochs > 1000) throw Error("--option finetune.epochs: must be 0..1000");
  if (s.batch < 1) throw Error("--option finetune.batch: must be >= 1");
  if (!(s.lr > 0) || !std::isfinite(s.lr)) throw Error("--option finetune.lr: must be positive");
  return s;
}

struct MeanStd {
  double mean = 0, std = 0;
};
MeanStd mean_std(const std::vector<double>& v) {
  MeanStd m;
  if (v.empty()) return m;
  m.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - m.mean) * (x - m.mean);
    m.std = std::sqrt(ss / static_cast<double>(v.size() - 1));  // sample standard deviation
  }
  return m;
}

class FinetuneAttack : public Attack {
 public:
  std::string name() const override { return "finetune"; }
  std::string threat_model() const override {
    return "locked package run on a plain float array (no key), a fraction of the labelled training set; "
           "compared with training the same architecture from scratch on the same data";
  }
  bool needs_train_pool() const override { return true; }
  std::vector<std::string> option_names() const override { return {"fractions", "seeds", "epochs", "batch", "lr"}; }

  AttackOutcome run(const AttackContext& ctx) override {
    const FinetuneSettings set = read_settings(ctx.options);
    torch::set_num_threads(std::max(1, std::min(ctx.threads, 2)));
    if (!ctx.train_pool || !ctx.test) throw Error("finetune: needs the training pool and the test set");
    const ImageSet& pool = *ctx.train_pool;
    const QuantModel& locked = *ctx.locked;
    AttackOutcome out;
    const torch::Tensor xt = images_tensor(*ctx.test, 0, ctx.test->count, locked);
    const torch::Tensor yt = labels_tensor(*ctx.test, 0, ctx.test->count);
    int64_t passes = 0;
    {
      TorchNet plain(locked);
      out.detail["plain_float_accuracy"] = torch_accuracy(plain, xt, yt);
      passes += ctx.test->count;
    }
    const int64_t runs_total = static_cast<int64_t>(set.fractions.size()) * set.seeds * 2;
    int64_t runs_done = 0;
    nlohmann::json table = nlohmann::json::array(), runs = nlohmann::json::array();
    for (double fraction : set.fractions) {
      const int64_t n = std::max<int64_t>(1, std::llround(fraction * static_cast<double>(pool.count)));
      std::vector<double> ft, sc;
      for (int64_t si = 0; si < set.seeds && !ctx.stopped(); ++si) {
        const uint64_t seed = ctx.seed + static_cast<uint64_t>(si);
        std::vector<int64_t> idx(static_cast<size_t>(pool.count));
        std::iota(idx.begin(), idx.end(), 0);
        std::mt19937_64 rng(seed);
        std::shuffle(idx.begin(), idx.end(), rng);
        idx.resize(static_cast<size_t>(n));
        ImageSet part;
        part.count = n;
        part.rows = pool.rows;
        part.cols = pool.cols;
        const size_t per = static_cast<size_t>(pool.rows) * static_cast<size_t>(pool.cols);
        for (int64_t i : idx) {
          part.pixels.insert(part.pixels.end(), pool.image(i), pool.image(i) + per);
          part.labels.push_back(pool.labels[static_cast<size_t>(i)]);
        }
        const torch::Tensor x = images_tensor(part, 0, n, locked), y = labels_tensor(part, 0, n);
        double accs[2] = {0, 0};
        for (int from_scratch = 0; from_scratch < 2; ++from_scratch) {
          TorchNet net(locked);
          if (from_scratch) net.reinitialize(seed);
          passes += train(net, x, y, set, seed, ctx);
          accs[from_scratch] = torch_accuracy(net, xt, yt);
          passes += ctx.test->count;
          ctx.report(fmt_stage(fraction, seed, from_scratch), ++runs_done, runs_total);
        }
        if (ctx.stopped()) break;  // a run cut short is not a result
        ft.push_back(accs[0]);
        sc.push_back(accs[1]);
        runs.push_back({{"fraction", fraction}, {"images", n}, {"seed", seed}, {"finetune", accs[0]}, {"scratch", accs[1]}});
      }
      if (ft.empty()) break;
      const MeanStd f = mean_std(ft), s = mean_std(sc);
      table.push_back({{"fraction", fraction}, {"images", n}, {"seeds", ft.size()}, {"finetune_mean", f.mean},
                       {"finetune_std", f.std}, {"scratch_mean", s.mean}, {"scratch_std", s.std}, {"epochs", set.epochs}});
      out.accuracy = f.mean;  // of the largest fraction finished
      out.labelled_images = std::max(out.labelled_images, n);
      if (ctx.stopped()) break;
    }
    out.complete = !ctx.stopped();
    out.forward_passes = passes;
    out.detail["table"] = table;
    out.detail["runs"] = runs;
    out.detail["settings"] = {{"epochs", set.epochs}, {"batch", set.batch}, {"optimiser", "Adam"}, {"lr", set.lr},
                              {"seeds", set.seeds}, {"first_seed", ctx.seed}, {"init_scratch", "U(-1/sqrt(K), 1/sqrt(K))"},
                              {"test_images", ctx.test->count}, {"train_pool", pool.count}};
    return out;
  }

 private:
  static std::string fmt_stage(double fraction, uint64_t seed, int scratch) {
    return std::string(scratch ? "scratch " : "finetune ") + std::to_string(static_cast<int>(std::lround(fraction * 1000)) / 10.0).substr(0, 4) +
           "% seed " + std::to_string(seed);
  }

  // Adam on the cross-entropy, `epochs` passes over (x, y) in batches whose
  // order is drawn from `seed` (the same for fine-tuning and scratch).
  // Returns the images run forward.
  static int64_t train(TorchNet& net, const torch::Tensor& x, const torch::Tensor& y, const FinetuneSettings& set,
                       uint64_t seed, const AttackContext& ctx) {
    torch::manual_seed(seed);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(set.lr));
    const int64_t n = x.size(0);
    int64_t passes = 0;
    for (int64_t e = 0; e < set.epochs && !ctx.stopped(); ++e) {
      const torch::Tensor perm = torch::randperm(n, torch::kInt64);
      for (int64_t s = 0; s < n; s += set.batch) {
        const auto idx = perm.narrow(0, s, std::min(set.batch, n - s));
        const auto loss = torch::nn::functional::cross_entropy(net.forward(x.index_select(0, idx)), y.index_select(0, idx));
        adam.zero_grad();
        loss.backward();
        adam.step();
        passes += idx.size(0);
      }
    }
    return passes;
  }
};

}  // namespace

std::unique_ptr<Attack> make_finetune_attack() { return std::make_unique<FinetuneAttack>(); }

}  // namespace keymac
