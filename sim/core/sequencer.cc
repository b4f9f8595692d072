#include "sim/core/sequencer.h"

#include <algorithm>

#include "sim/core/error.h"

namespace keymac {

Sequencer::Sequencer(const GemmProblem& problem, const LayerPlan& plan)
    : p_(problem), plan_(&plan) {
  const Schedule s(p_.shape, p_.geometry);
  if (plan.geometry != p_.geometry || plan.shape.m != p_.shape.m || plan.shape.k != p_.shape.k ||
      plan.shape.n != p_.shape.n || static_cast<int64_t>(plan.folds.size()) != s.folds())
    throw Error("sequencer: the timing plan is for another layer shape or geometry");
  kt_count_ = s.k_tiles();
  for (size_t f = 0; f < plan.folds.size(); ++f)
    for (const auto& a : plan.folds[f].acts)
      segs_.push_back({a.start, static_cast<int64_t>(f), a.row0, a.rows});
  y_.assign(static_cast<size_t>(p_.shape.m * p_.shape.n), 0);
}

void Sequencer::set_key_warmup(int64_t warmup_cycles, const std::array<uint8_t, 10>& iv) {
  if (warmup_cycles < 0) throw Error("sequencer: negative key warm-up");
  warmup_ = warmup_cycles;
  iv_ = iv;
}

bool Sequencer::activation_at(int64_t t, int64_t& f, int64_t& i) const {
  t -= warmup_;
  // The segment holding t: the last one starting at or before t.
  auto last_at_or_before = [&](size_t h) {
    return h < segs_.size() && segs_[h].start <= t && (h + 1 == segs_.size() || segs_[h + 1].start > t);
  };
  size_t h = seg_hint_;
  if (!last_at_or_before(h)) {
    if (last_at_or_before(h + 1)) {
      ++h;
    } else {
      auto it = std::upper_bound(segs_.begin(), segs_.end(), t,
                                 [](int64_t v, const Seg& s) { return v < s.start; });
      if (it == segs_.begin()) return false;
      h = static_cast<size_t>(it - segs_.begin()) - 1;
    }
    seg_hint_ = h;
  }
  const Seg& s = segs_[h];
  if (t >= s.start + s.rows) return false;
  f = s.fold;
  i = s.row0 + (t - s.start);
  return true;
}

bool Sequencer::weight_row_at(int64_t t, int64_t& f, int64_t& r) const {
  t -= warmup_;
  const auto& folds = plan_->folds;
  auto last_at_or_before = [&](size_t h) {
    return h < folds.size() && folds[h].w_start <= t && (h + 1 == folds.size() || folds[h + 1].w_start > t);
  };
  size_t h = fold_hint_;
  if (!last_at_or_before(h)) {
    if (last_at_or_before(h + 1)) {
      ++h;
    } else {
      auto it = std::upper_bound(folds.begin(), folds.end(), t,
                                 [](int64_t v, const FoldTiming& ft) { return v < ft.w_start; });
      if (it == folds.begin()) return false;
      h = static_cast<size_t>(it - folds.begin()) - 1;
    }
    fold_hint_ = h;
  }
  if (t >= folds[h].w_start + p_.geometry.rows) return false;
  f = static_cast<int64_t>(h);
  r = t - folds[h].w_start;
  return true;
}

void Sequencer::inputs(int64_t t, ArrayInputs& in) const {
  const int R = p_.geometry.rows, C = p_.geometry.cols;
  if (static_cast<int>(in.w_data.size()) != C || static_cast<int>(in.a_data.size()) != R)
    in.resize(p_.geometry);
  in.idle();
  if (warmup_ > 0 && t == 0) {
    in.kx_start = true;
    in.kx_iv = iv_;
  }
  const int64_t K = p_.shape.k, N = p_.shape.n;
  int64_t f, r;
  if (weight_row_at(t, f, r)) {
    const int64_t kt = f % kt_count_, nt = f / kt_count_;
    in.w_valid = true;
    in.w_row = static_cast<uint32_t>(r);
    in.w_bank = f & 1;
    const int64_t k = kt * R + r;
    if (k < K)
      for (int c = 0; c < C && nt * C + c < N; ++c) in.w_data[static_cast<size_t>(c)] = p_.w[k * N + nt * C + c];
  }
  int64_t i;
  if (activation_at(t, f, i)) {
    const int64_t kt = f % kt_count_;
    in.a_valid = true;
    in.a_bank = f & 1;
    for (int rr = 0; rr < R && kt * R + rr < K; ++rr)
      in.a_data[static_cast<size_t>(rr)] = p_.x[i * K + kt * R + rr];
  }
}

void Sequencer::collect(int64_t t, const ArrayOutputs& out) {
  if (!out.psum_valid) return;
  const int R = p_.geometry.rows, C = p_.geometry.cols;
  int64_t f, i;
  if (!activation_at(t - (R + C - 1), f, i))
    throw Error("sequencer: psum_valid in layer cycle " + std::to_string(t) +
                " but no activation was presented R+C-1 cycles before");
  const int64_t kt = f % kt_count_, nt = f / kt_count_, N = p_.shape.n;
  auto* yu = reinterpret_cast<uint32_t*>(y_.data()) + i * N + nt * C;
  for (int c = 0; c < C && nt * C + c < N; ++c) {
    const auto v = static_cast<uint32_t>(out.psum_data[static_cast<size_t>(c)]);
    yu[c] = kt == 0 ? v : yu[c] + v;
  }
}

void Sequencer::key_inputs(const std::vector<uint8_t>& key_bits, int64_t j, ArrayInputs& in) {
  in.idle();
  in.key_valid = true;
  in.key_bit = key_bits.at(static_cast<size_t>(j)) != 0;
}

}  // namespace keymac
