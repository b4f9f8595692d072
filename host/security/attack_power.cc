// `power`: side-channel key recovery from the array's per-cycle activity.
//
// The attacker has the locked package, the geometry, inputs it chose
// (inputs=chosen: uniformly random images) or merely knows (inputs=known:
// its own unlabelled images), and a power trace of the device running them:
// the per-cycle register toggles of one Gemm/Conv layer (power_model.h),
// truncated to `cycles` and with Gaussian noise. Only the partial-sum
// registers depend on the key, column c only on key column c, so the attack
// searches per column the bits that best explain the trace (least squares,
// coordinate descent over the bits with the column's contribution
// re-simulated for every tried flip). Layer by layer: PEs that hold no
// weight of the first layer (e.g. a Conv with fewer than C output channels)
// are observed in the next layer, whose inputs the attacker computes with
// the bits found so far.
// Options: inputs (chosen|known), images (M, default 256), cycles (list),
// noise (list of sigmas in toggles), layers (max layers, default 3).
#include <algorithm>
#include <cmath>
#include <random>

#include "host/security/attack.h"
#include "host/security/power_model.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

struct Solve {
  Key key;
  int unobserved = 0;
  int64_t cycles = 0;
  double residual_rms = 0;  // of the last layer's fit
};

class PowerAttack : public Attack {
 public:
  std::string name() const override { return "power"; }
  std::string threat_model() const override {
    return "locked package + geometry + known or chosen inputs + the array's per-cycle toggle trace (power proxy) of "
           "the device running them";
  }
  bool needs_device() const override { return true; }
  std::vector<std::string> option_names() const override { return {"inputs", "images", "cycles", "noise", "layers"}; }

  AttackOutcome run(const AttackContext& ctx) override {
    AttackOutcome out;
    const QuantModel& m = *ctx.locked;
    const std::string inputs = ctx.options.value("inputs", std::string("chosen"));
    const int64_t images = std::clamp<int64_t>(ctx.options.value("images", 256), 1, 4096);
    std::vector<int64_t> cycles = ctx.options.value("cycles", std::vector<int64_t>{64, 128, 256, 512, 1024, 2048});
    std::vector<double> noise = ctx.options.value("noise", std::vector<double>{0, 16, 64, 256});
    const int layers = std::max(1, ctx.options.value("layers", 3));
    if (cycles.empty()) throw Error("--option power.cycles: give at least one cycle count");
    std::sort(cycles.begin(), cycles.end());
    // The attacker's inputs.
    const int64_t px = numel(m.input_shape);
    std::vector<uint8_t> pixels(static_cast<size_t>(images * px));
    if (inputs == "chosen") {
      chosen_images(m, ctx, images, pixels);
    } else if (inputs == "known") {
      if (!ctx.unlabelled || ctx.unlabelled->count < images)
        throw Error("power: inputs=known needs --queries >= " + std::to_string(images));
      std::copy_n(ctx.unlabelled->pixels.data(), pixels.size(), pixels.data());
      out.unlabelled_images = images;
    } else {
      throw Error("--option power.inputs: '" + inputs + "' is not chosen or known");
    }
    std::vector<const QuantLayer*> gemms;
    for (const auto& l : m.layers)
      if (l.is_gemm_like()) gemms.push_back(&l);

    // Points: every cycle count without noise, every noise at the largest count.
    std::vector<std::pair<int64_t, double>> points;
    for (int64_t c : cycles) points.push_back({c, 0.0});
    for (double s : noise)
      if (s > 0) points.push_back({cycles.back(), s});
    nlohmann::json summary = nlohmann::json::array();
    for (size_t pi = 0; pi < points.size(); ++pi) {
      if (ctx.stopped()) {
        out.complete = false;
        break;
      }
      const auto [max_cycles, sigma] = points[pi];
      Solve s = solve(ctx, gemms, pixels.data(), images, max_cycles, sigma, std::min<int>(layers, static_cast<int>(gemms.size())));
      if (ctx.stopped()) {
        out.complete = false;
        break;
      }
      const nlohmann::json point = {{"cycles", max_cycles}, {"traced_cycles", s.cycles}, {"noise_sigma", sigma},
                                    {"unobserved_bits", s.unobserved},
                                    {"residual_rms", s.residual_rms}};
      out.scored.push_back({"bits_vs_cycles", point, s.key, false});
      summary.push_back(point);
      if (pi + 1 == static_cast<size_t>(cycles.size())) out.candidate = s.key;  // most cycles, no noise
      ctx.report("trace points", static_cast<int64_t>(pi + 1), static_cast<int64_t>(points.size()));
    }
    out.queries = ctx.device ? ctx.device->queries() : 0;
    out.detail["inputs"] = inputs;
    out.detail["trace_images"] = images;
    out.detail["power_model"] = "toggles of PE activation, weight-bank and partial-sum registers per cycle";
    return out;
  }

 private:
  // Chosen inputs that make each activation row of the first layer one-hot
  // (or zero), with blank images in between, so that every partial sum in
  // the array depends on one key bit: image 2j+1 is blank; image 2j lights
  // the pixels whose index is r (mod R), r = j mod R, for a Gemm, or a few
  // isolated pixels (a kernel apart) for a Conv, with random intensities.
  static void chosen_images(const QuantModel& m, const AttackContext& ctx, int64_t images, std::vector<uint8_t>& pixels) {
    const int R = ctx.geometry.rows;
    const int64_t px = numel(m.input_shape);
    // The pixel value that quantizes to activation 0 (blank).
    uint8_t blank = 0;
    double best = 1e300;
    for (int p = 0; p < 256; ++p) {
      const double q = std::abs(m.preprocess(static_cast<uint8_t>(p)) / m.input_scale);
      if (q < best) best = q, blank = static_cast<uint8_t>(p);
    }
    std::mt19937_64 rng(ctx.seed ^ 0x706f776572ull);
    std::uniform_int_distribution<int> u(1, 255);
    std::fill(pixels.begin(), pixels.end(), blank);
    const QuantLayer* first = nullptr;
    for (const auto& l : m.layers)
      if (l.is_gemm_like() && !first) first = &l;
    for (int64_t i = 0; i < images; i += 2) {
      uint8_t* img = pixels.data() + i * px;
      auto lit = [&](uint8_t v) { return v == blank ? static_cast<uint8_t>(255 - blank) : v; };
      if (first && first->kind == LayerKind::kConv && m.input_shape.size() == 3) {
        const int64_t h = m.input_shape[1], w = m.input_shape[2];
        const int64_t sy = first->win.kh + 1, sx = first->win.kw + 1;
        const int64_t j = i / 2;
        for (int64_t y = j % sy; y < h; y += sy)
          for (int64_t x = (j / sy) % sx; x < w; x += sx) img[y * w + x] = lit(static_cast<uint8_t>(u(rng)));
      } else {
        const int64_t r = (i / 2) % R;
        for (int64_t k = r; k < px; k += R) img[k] = lit(static_cast<uint8_t>(u(rng)));
      }
    }
  }

  Solve solve(const AttackContext& ctx, const std::vector<const QuantLayer*>& gemms, const uint8_t* pixels, int64_t images,
              int64_t max_cycles, double sigma, int layers) const {
    const Geometry g = ctx.geometry;
    const int R = g.rows, C = g.cols;
    Solve s{Key(g), 0, 0, 0};
    std::vector<uint8_t> observed(static_cast<size_t>(g.pes()), 0);
    for (int L = 0; L < layers; ++L) {
      GemmShape shape;
      const auto x = gemm_inputs(*ctx.locked, g, &s.key, pixels, images, static_cast<size_t>(L), &shape);
      const PowerTrace trace = ctx.device->trace_inference(pixels, images, static_cast<size_t>(L), max_cycles, sigma,
                                                           ctx.seed + static_cast<uint64_t>(L) * 7919 + static_cast<uint64_t>(max_cycles));
      ToggleModel model(x.data(), gemms[static_cast<size_t>(L)]->weight.data(), shape, g, max_cycles);
      s.cycles += model.cycles();
      const Schedule sch(shape, g);
      // PEs holding a weight in a fold that starts inside the traced window.
      std::vector<uint8_t> here(static_cast<size_t>(g.pes()), 0);
      for (int64_t f = 0; f < sch.folds() && sch.act_start(f) < model.cycles(); ++f) {
        const Fold fo = sch.fold(f);
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < C; ++c)
            if (fo.kt * R + r < shape.k && fo.nt * C + c < shape.n) here[static_cast<size_t>(r * C + c)] = 1;
      }
      // Residual = trace - fixed - sum of the columns under the current key.
      std::vector<double> res = trace.toggles;
      res.resize(static_cast<size_t>(model.cycles()), 0.0);
      for (size_t i = 0; i < res.size(); ++i) res[i] -= model.fixed()[i];
      std::vector<std::vector<uint8_t>> bits(static_cast<size_t>(C), std::vector<uint8_t>(static_cast<size_t>(R)));
      std::vector<std::vector<double>> col(static_cast<size_t>(C));
      for (int c = 0; c < C; ++c) {
        for (int r = 0; r < R; ++r) bits[static_cast<size_t>(c)][static_cast<size_t>(r)] = static_cast<uint8_t>(s.key.bit(r, c));
        model.column(c, bits[static_cast<size_t>(c)], col[static_cast<size_t>(c)]);
        for (size_t i = 0; i < res.size(); ++i) res[i] -= col[static_cast<size_t>(c)][i];
      }
      std::vector<double> trial;
      auto sumsq = [](const std::vector<double>& v) {
        double t = 0;
        for (double e : v) t += e * e;
        return t;
      };
      // Linearised least squares (Gauss-Newton over the flip of each observed
      // bit): D_b = trace change when bit b flips; solve (D'D + l I) d = D' res,
      // flip the bits with d > 1/2; keep the step if the residual shrinks.
      std::vector<int> var;
      for (int i = 0; i < g.pes(); ++i)
        if (here[static_cast<size_t>(i)]) var.push_back(i);
      const size_t nv = var.size();
      for (int iter = 0; iter < 4 && nv > 0; ++iter) {
        if (ctx.stopped()) return s;
        std::vector<std::vector<double>> d(nv);
        for (size_t v = 0; v < nv; ++v) {
          const int r = var[v] / C, c = var[v] % C;
          auto b = bits[static_cast<size_t>(c)];
          b[static_cast<size_t>(r)] ^= 1;
          model.column(c, b, trial);
          d[v].resize(res.size());
          for (size_t i = 0; i < res.size(); ++i) d[v][i] = trial[i] - col[static_cast<size_t>(c)][i];
        }
        std::vector<std::vector<double>> a(nv, std::vector<double>(nv + 1, 0.0));
        double diag = 0;
        for (size_t u = 0; u < nv; ++u) {
          for (size_t v = u; v < nv; ++v) {
            double t = 0;
            for (size_t i = 0; i < res.size(); ++i) t += d[u][i] * d[v][i];
            a[u][v] = a[v][u] = t;
          }
          double t = 0;
          for (size_t i = 0; i < res.size(); ++i) t += d[u][i] * res[i];
          a[u][nv] = t;
          diag += a[u][u];
        }
        const double lambda = 1e-6 * diag / static_cast<double>(nv) + 1e-12;
        for (size_t u = 0; u < nv; ++u) a[u][u] += lambda;
        for (size_t p = 0; p < nv; ++p) {  // Gaussian elimination, partial pivoting
          size_t piv = p;
          for (size_t q = p + 1; q < nv; ++q)
            if (std::abs(a[q][p]) > std::abs(a[piv][p])) piv = q;
          std::swap(a[p], a[piv]);
          if (std::abs(a[p][p]) < 1e-300) continue;
          for (size_t q = p + 1; q < nv; ++q) {
            const double f = a[q][p] / a[p][p];
            if (f == 0) continue;
            for (size_t j = p; j <= nv; ++j) a[q][j] -= f * a[p][j];
          }
        }
        std::vector<double> delta(nv, 0.0);
        for (size_t p = nv; p-- > 0;) {
          if (std::abs(a[p][p]) < 1e-300) continue;
          double t = a[p][nv];
          for (size_t j = p + 1; j < nv; ++j) t -= a[p][j] * delta[j];
          delta[p] = t / a[p][p];
        }
        auto nb = bits;
        int flips = 0;
        for (size_t v = 0; v < nv; ++v)
          if (delta[v] > 0.5) nb[static_cast<size_t>(var[v] % C)][static_cast<size_t>(var[v] / C)] ^= 1, ++flips;
        if (flips == 0) break;
        std::vector<double> nres = trace.toggles;
        nres.resize(res.size(), 0.0);
        std::vector<std::vector<double>> ncol(static_cast<size_t>(C));
        for (size_t i = 0; i < nres.size(); ++i) nres[i] -= model.fixed()[i];
        for (int c = 0; c < C; ++c) {
          model.column(c, nb[static_cast<size_t>(c)], ncol[static_cast<size_t>(c)]);
          for (size_t i = 0; i < nres.size(); ++i) nres[i] -= ncol[static_cast<size_t>(c)][i];
        }
        if (sumsq(nres) >= sumsq(res)) break;
        res = std::move(nres);
        col = std::move(ncol);
        bits = std::move(nb);
      }
      for (int c = 0; c < C; ++c)
        for (int r = 0; r < R; ++r) s.key.set(r, c, bits[static_cast<size_t>(c)][static_cast<size_t>(r)]);
      // Polish: single flips, then pairs of flips in one column, that lower
      // the squared residual (pairs escape the minima that adjacent taps of a
      // convolution window create).
      auto try_flips = [&](int c, std::initializer_list<int> rows) {
        auto& b = bits[static_cast<size_t>(c)];
        for (int r : rows) b[static_cast<size_t>(r)] ^= 1;
        model.column(c, b, trial);
        const auto& old = col[static_cast<size_t>(c)];
        double gain = 0;  // ||res||^2 - ||res + old - trial||^2
        for (size_t i = 0; i < res.size(); ++i) {
          const double nr = res[i] + old[i] - trial[i];
          gain += res[i] * res[i] - nr * nr;
        }
        if (gain > 1e-9) {
          for (size_t i = 0; i < res.size(); ++i) res[i] += old[i] - trial[i];
          col[static_cast<size_t>(c)] = trial;
          for (int r : rows) s.key.set(r, c, b[static_cast<size_t>(r)]);
          return true;
        }
        for (int r : rows) b[static_cast<size_t>(r)] ^= 1;
        return false;
      };
      for (int round = 0; round < 6; ++round) {
        int changed = 0;
        for (int sweep = 0; sweep < 8; ++sweep) {
          int ch = 0;
          for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r) {
              if (ctx.stopped()) return s;
              if (here[static_cast<size_t>(r * C + c)]) ch += try_flips(c, {r});
            }
          changed += ch;
          if (ch == 0) break;
        }
        if (round > 0 && changed == 0) break;
        int pairs = 0;
        for (int c = 0; c < C; ++c)
          for (int r1 = 0; r1 < R; ++r1)
            for (int r2 = r1 + 1; r2 < R; ++r2) {
              if (ctx.stopped()) return s;
              if (here[static_cast<size_t>(r1 * C + c)] && here[static_cast<size_t>(r2 * C + c)]) pairs += try_flips(c, {r1, r2});
            }
        if (pairs == 0) break;
      }
      double ss = 0;
      for (double v : res) ss += v * v;
      s.residual_rms = res.empty() ? 0 : std::sqrt(ss / static_cast<double>(res.size()));
      bool all = true;
      for (int i = 0; i < g.pes(); ++i) {
        observed[static_cast<size_t>(i)] |= here[static_cast<size_t>(i)];
        all = all && observed[static_cast<size_t>(i)];
      }
      if (all) break;
    }
    for (int i = 0; i < g.pes(); ++i) s.unobserved += !observed[static_cast<size_t>(i)];
    return s;
  }
};

}  // namespace

std::unique_ptr<Attack> make_power_attack() { return std::make_unique<PowerAttack>(); }

}  // namespace keymac
