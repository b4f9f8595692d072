// `datafree`: key recovery from the locked package alone, by weight statistics.
//
// Locking multiplies W[k][n] by s(k mod R, n mod C) = (-1)^key. Weights of
// spatially neighbouring inputs k1, k2 (adjacent pixels, adjacent kernel taps)
// are positively correlated in a trained network, so for every layer and
// every column c the sum over neurons n = c (mod C) of the normalised products
// W'[k1][n] W'[k2][n] estimates s(r1, c) s(r2, c) (r = k mod R). Per column we
// solve max sum_{r1<r2} E[r1][r2] s_r1 s_r2 exactly (brute force for a
// connected set of up to 20 rows; spanning tree + local search above),
// which fixes each connected set of rows up to one sign. That sign is taken
// from the classifier: the mean weight into each class is negative in
// trained classifiers (ReLU features are mostly evidence against a class).
// Signs without classifier evidence, and the least certain others, are then
// resolved by trying all 2^B combinations on at most `images` labelled images
// (lowest cross-entropy).
// Options: images (default 16, 0: data-free only), brute_force_bits (B, default 10),
// rounds (parity re-weighting rounds, default 4).
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "host/security/attack.h"
#include "host/security/attack_util.h"

namespace keymac {

namespace {

struct SignVar {
  int col;
  std::vector<int> rows;   // rows of this connected set
  std::vector<int> rel;    // relative sign (+1/-1) per row
  int sign = 1;            // global sign chosen
  double confidence = 0;   // classifier z-score (0: no evidence)
};

// Maximises sum E[i][j] s_i s_j over the rows of one connected set.
std::vector<int> solve_component(const std::vector<double>& e, int R, const std::vector<int>& rows) {
  const size_t m = rows.size();
  std::vector<int> s(m, 1);
  auto objective = [&](const std::vector<int>& v) {
    double o = 0;
    for (size_t i = 0; i < m; ++i)
      for (size_t j = i + 1; j < m; ++j) o += e[static_cast<size_t>(rows[i] * R + rows[j])] * v[i] * v[j];
    return o;
  };
  if (m <= 1) return s;
  if (m <= 20) {
    double best = -1e300;
    std::vector<int> v(m);
    for (uint64_t mask = 0; mask < (uint64_t(1) << (m - 1)); ++mask) {
      v[0] = 1;
      for (size_t i = 1; i < m; ++i) v[i] = (mask >> (i - 1)) & 1 ? -1 : 1;
      const double o = objective(v);
      if (o > best) best = o, s = v;
    }
    return s;
  }
  // Maximum spanning tree by |E| (Prim), signs along the tree, then single flips.
  std::vector<bool> in(m, false);
  in[0] = true;
  for (size_t added = 1; added < m; ++added) {
    double bw = -1;
    size_t bi = 0, bj = 0;
    for (size_t i = 0; i < m; ++i)
      if (in[i])
        for (size_t j = 0; j < m; ++j)
          if (!in[j]) {
            const double w = std::abs(e[static_cast<size_t>(rows[i] * R + rows[j])]);
            if (w > bw) bw = w, bi = i, bj = j;
          }
    in[bj] = true;
    s[bj] = e[static_cast<size_t>(rows[bi] * R + rows[bj])] >= 0 ? s[bi] : -s[bi];
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < m; ++i) {
      double g = 0;
      for (size_t j = 0; j < m; ++j)
        if (j != i) g += e[static_cast<size_t>(rows[i] * R + rows[j])] * s[j];
      if (g * s[i] < 0) s[i] = -s[i], changed = true;
    }
  }
  return s;
}

class DatafreeAttack : public Attack {
 public:
  std::string name() const override { return "datafree"; }
  std::string threat_model() const override {
    return "locked package + geometry only (weight statistics); optionally <= `images` labelled images to settle the last signs";
  }

  std::vector<std::string> option_names() const override { return {"images", "brute_force_bits", "rounds"}; }

  AttackOutcome run(const AttackContext& ctx) override {
    AttackOutcome out;
    const QuantModel& m = *ctx.locked;
    const int R = ctx.geometry.rows, C = ctx.geometry.cols;
    // 1. Pairwise parity evidence E[c][r1][r2] from every layer's neighbouring
    //    rows; 2. per column, connected sets of rows and their relative signs.
    //    Each (layer, offset type) is weighted by mean/variance of its
    //    sign-corrected products, re-estimated from the previous solution.
    struct Term {
      size_t layer;
      std::vector<NeighbourPair> pairs;
    };
    std::vector<Term> terms;
    for (size_t li = 0; li < m.layers.size(); ++li)
      if (m.layers[li].is_gemm_like()) {
        auto p = neighbour_pairs(m, li);
        if (!p.empty()) terms.push_back({li, std::move(p)});
      }
    std::vector<std::array<double, kNeighbourTypes>> weight(terms.size());
    for (auto& w : weight) w.fill(1.0);
    std::vector<SignVar> vars;
    int64_t pairs_used = 0;
    const int rounds = std::max(1, ctx.options.value("rounds", 4));
    nlohmann::json type_weights;
    for (int round = 0; round < rounds; ++round) {
      std::vector<std::vector<double>> e(static_cast<size_t>(C), std::vector<double>(static_cast<size_t>(R * R), 0.0));
      // Current relative sign per (row, column) (all +1 before the first solve).
      std::vector<int> rel(static_cast<size_t>(R * C), 1);
      for (const auto& v : vars)
        for (size_t i = 0; i < v.rows.size(); ++i) rel[static_cast<size_t>(v.rows[i] * C + v.col)] = v.rel[i];
      std::vector<std::array<double, kNeighbourTypes>> sum(terms.size()), sq(terms.size()), cnt(terms.size());
      pairs_used = 0;
      for (size_t ti = 0; ti < terms.size(); ++ti) {
        const QuantLayer& l = m.layers[terms[ti].layer];
        sum[ti].fill(0), sq[ti].fill(0), cnt[ti].fill(0);
        for (int64_t n = 0; n < l.n; ++n) {
          double norm = 0;
          for (int64_t k = 0; k < l.k; ++k) {
            const double w = l.weight[static_cast<size_t>(k * l.n + n)];
            norm += w * w;
          }
          if (norm == 0) continue;
          norm /= static_cast<double>(l.k);
          const int c = static_cast<int>(n % C);
          auto& ec = e[static_cast<size_t>(c)];
          for (const auto& p : terms[ti].pairs) {
            const int r1 = static_cast<int>(p.k1 % R), r2 = static_cast<int>(p.k2 % R);
            if (r1 == r2) continue;
            const double z = static_cast<double>(l.weight[static_cast<size_t>(p.k1 * l.n + n)]) *
                             l.weight[static_cast<size_t>(p.k2 * l.n + n)] / norm;
            const double zc = z * rel[static_cast<size_t>(r1 * C + c)] * rel[static_cast<size_t>(r2 * C + c)];
            sum[ti][static_cast<size_t>(p.type)] += zc;
            sq[ti][static_cast<size_t>(p.type)] += zc * zc;
            cnt[ti][static_cast<size_t>(p.type)] += 1;
            const double wz = weight[ti][static_cast<size_t>(p.type)] * z;
            ec[static_cast<size_t>(r1 * R + r2)] += wz;
            ec[static_cast<size_t>(r2 * R + r1)] += wz;
            ++pairs_used;
          }
        }
      }
      vars.clear();
      for (int c = 0; c < C; ++c) {
        std::vector<int> comp(static_cast<size_t>(R), -1);
        for (int r0 = 0; r0 < R; ++r0) {
          if (comp[static_cast<size_t>(r0)] >= 0) continue;
          SignVar v;
          v.col = c;
          std::vector<int> stack = {r0};
          comp[static_cast<size_t>(r0)] = static_cast<int>(vars.size());
          while (!stack.empty()) {
            const int r = stack.back();
            stack.pop_back();
            v.rows.push_back(r);
            for (int q = 0; q < R; ++q)
              if (comp[static_cast<size_t>(q)] < 0 && e[static_cast<size_t>(c)][static_cast<size_t>(r * R + q)] != 0) {
                comp[static_cast<size_t>(q)] = static_cast<int>(vars.size());
                stack.push_back(q);
              }
          }
          std::sort(v.rows.begin(), v.rows.end());
          v.rel = solve_component(e[static_cast<size_t>(c)], R, v.rows);
          vars.push_back(std::move(v));
        }
      }
      // Re-weight every (layer, type) by mean / variance of its corrected products.
      if (round > 0 || rounds == 1) {
        type_weights = nlohmann::json::array();
        for (size_t ti = 0; ti < terms.size(); ++ti)
          for (size_t t = 0; t < static_cast<size_t>(kNeighbourTypes); ++t) {
            if (cnt[ti][t] < 2) {
              weight[ti][t] = 0;
              continue;
            }
            const double mean = sum[ti][t] / cnt[ti][t], var = sq[ti][t] / cnt[ti][t] - mean * mean;
            weight[ti][t] = var > 0 ? mean / var : 0;
          }
      } else {
        // First round solved with equal weights; estimate weights from it.
        for (size_t ti = 0; ti < terms.size(); ++ti)
          for (size_t t = 0; t < static_cast<size_t>(kNeighbourTypes); ++t) {
            // Recompute corrected statistics with the new signs on the next pass.
            weight[ti][t] = 1.0;
          }
      }
    }
    for (size_t ti = 0; ti < terms.size(); ++ti)
      for (size_t t = 0; t < static_cast<size_t>(kNeighbourTypes); ++t)
        type_weights.push_back({{"layer", m.layers[terms[ti].layer].name}, {"type", t}, {"weight", weight[ti][t]}});
    ctx.report("parities", 1, 3);
    // 3. Global sign of each set from the classifier (last Gemm/Conv): its mean weight is negative.
    const QuantLayer* cls = nullptr;
    for (const auto& l : m.layers)
      if (l.is_gemm_like()) cls = &l;
    if (cls) {
      for (auto& v : vars) {
        double sum = 0, sq = 0;
        for (size_t i = 0; i < v.rows.size(); ++i)
          for (int64_t k = v.rows[i]; k < cls->k; k += R)
            for (int64_t n = v.col; n < cls->n; n += C) {
              const double w = cls->weight[static_cast<size_t>(k * cls->n + n)];
              sum += v.rel[i] * w;
              sq += w * w;
            }
        if (sq > 0) {
          v.sign = sum > 0 ? -1 : 1;
          v.confidence = std::abs(sum) / std::sqrt(sq);
        }
      }
    }
    auto make_key = [&](const std::vector<SignVar>& vs) {
      Key k(ctx.geometry);
      for (const auto& v : vs)
        for (size_t i = 0; i < v.rows.size(); ++i) k.set(v.rows[i], v.col, v.rel[i] * v.sign < 0);
      return k;
    };
    Key key = make_key(vars);
    ctx.report("signs", 2, 3);
    // 4. The least certain signs from a few labelled images.
    const int64_t images = std::min<int64_t>(ctx.options.value("images", 16), ctx.labelled ? ctx.labelled->count : 0);
    const int b_max = std::clamp(ctx.options.value("brute_force_bits", 10), 0, 20);
    std::vector<size_t> order(vars.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return vars[a].confidence < vars[b].confidence; });
    nlohmann::json settled = nlohmann::json::array();
    if (images > 0 && !vars.empty()) {
      const ImageSet& data = *ctx.labelled;
      // Sets beyond the brute-force budget: one pass of single flips first.
      const size_t b = std::min<size_t>(static_cast<size_t>(b_max), order.size());
      double best = labelled_loss(*ctx.evaluator, key, data, images);
      for (size_t i = b; i < order.size() && vars[order[i]].confidence == 0; ++i) {
        if (ctx.stopped()) break;
        vars[order[i]].sign = -vars[order[i]].sign;
        const Key k = make_key(vars);
        const double l = labelled_loss(*ctx.evaluator, k, data, images);
        if (l < best) best = l, key = k;
        else vars[order[i]].sign = -vars[order[i]].sign;
      }
      std::vector<int> base(b);
      for (size_t i = 0; i < b; ++i) base[i] = vars[order[i]].sign;
      uint64_t best_mask = 0;
      best = 1e300;
      for (uint64_t mask = 0; mask < (uint64_t(1) << b); ++mask) {
        if (ctx.stopped()) {
          out.complete = false;
          break;
        }
        for (size_t i = 0; i < b; ++i) vars[order[i]].sign = (mask >> i) & 1 ? -base[i] : base[i];
        const double l = labelled_loss(*ctx.evaluator, make_key(vars), data, images);
        if (l < best) best = l, best_mask = mask;
        ctx.report("settling signs", static_cast<int64_t>(mask + 1), static_cast<int64_t>(uint64_t(1) << b));
      }
      for (size_t i = 0; i < b; ++i) {
        vars[order[i]].sign = (best_mask >> i) & 1 ? -base[i] : base[i];
        if ((best_mask >> i) & 1) settled.push_back({{"column", vars[order[i]].col}, {"rows", vars[order[i]].rows.size()}});
      }
      key = make_key(vars);
      out.labelled_images = images;
      out.detail["brute_force_sets"] = b;
      out.detail["labelled_loss"] = best;
    }
    int64_t sets_without_classifier = 0;
    for (const auto& v : vars) sets_without_classifier += v.confidence == 0;
    out.detail["sign_sets"] = vars.size();
    out.detail["sign_sets_without_classifier_evidence"] = sets_without_classifier;
    out.detail["sets_flipped_by_images"] = settled.size();
    out.detail["weight_pairs"] = pairs_used;
    out.detail["pair_type_weights"] = type_weights;
    out.candidate = key;
    ctx.report("done", 3, 3);
    return out;
  }
};

}  // namespace

std::unique_ptr<Attack> make_datafree_attack() { return std::make_unique<DatafreeAttack>(); }

}  // namespace keymac
