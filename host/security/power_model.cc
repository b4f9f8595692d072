#include "host/security/power_model.h"

#include <algorithm>

#include "host/backend/functional_backend.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
inline double pc32(uint32_t v) { return static_cast<double>(__builtin_popcount(v)); }
inline double pc8(uint8_t v) { return static_cast<double>(__builtin_popcount(v)); }
}  // namespace

ToggleModel::ToggleModel(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, int64_t max_cycles)
    : x_(x), w_(w), s_(shape), g_(g), sch_(shape, g) {
  cycles_ = sch_.cycles();
  if (max_cycles > 0) cycles_ = std::min(cycles_, max_cycles);
  fixed_.assign(static_cast<size_t>(cycles_), 0.0);
  const int64_t R = g.rows, C = g.cols, K = s_.k, N = s_.n, M = s_.m, P = sch_.period(), F = sch_.folds();
  auto wval = [&](int64_t f, int64_t r, int64_t c) -> uint8_t {
    if (f < 0) return 0;
    const Fold fo = sch_.fold(f);
    const int64_t k = fo.kt * R + r, n = fo.nt * C + c;
    return k < K && n < N ? static_cast<uint8_t>(w_[k * N + n]) : 0;
  };
  for (int64_t f = 0; f < F && sch_.weight_start(f) < cycles_; ++f)
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t t = sch_.weight_start(f) + r + c;
        if (t < cycles_) fixed_[static_cast<size_t>(t)] += pc8(wval(f, r, c) ^ wval(f - 2, r, c));
      }
  // Activation registers: slot t (the activation presented in cycle t).
  auto act = [&](int64_t t, int64_t r) -> uint8_t {
    if (t < 1) return 0;
    const int64_t f = (t - 1) / P, i = (t - 1) % P;
    if (f >= F || i >= M) return 0;
    const int64_t k = sch_.fold(f).kt * R + r;
    return k < K ? static_cast<uint8_t>(x_[i * K + k]) : 0;
  };
  for (int64_t t = 1; t < cycles_; ++t)
    for (int64_t r = 0; r < R; ++r) {
      const double d = pc8(act(t, r) ^ act(t - 1, r));
      if (d == 0) continue;
      for (int64_t c = 0; c < C && t + r + c < cycles_; ++c) fixed_[static_cast<size_t>(t + r + c)] += d;
    }
}

void ToggleModel::column(int c, const std::vector<uint8_t>& bits, std::vector<double>& out) const {
  out.assign(static_cast<size_t>(cycles_), 0.0);
  const int64_t R = g_.rows, C = g_.cols, K = s_.k, N = s_.n, M = s_.m, P = sch_.period(), F = sch_.folds();
  std::vector<uint32_t> prev(static_cast<size_t>(R), 0), cur(static_cast<size_t>(R));
  const bool per_fold = bits.size() > static_cast<size_t>(R);
  if (!bits.empty() && bits.size() != static_cast<size_t>(R) && bits.size() != static_cast<size_t>(F * R))
    throw Error("power model: a key column has R or F*R bits");
  for (int64_t t = 1; t < cycles_; ++t) {
    const int64_t f = (t - 1) / P, i = (t - 1) % P;
    uint32_t acc = 0;
    if (f < F && i < M) {
      const Fold fo = sch_.fold(f);
      const int64_t n = fo.nt * C + c;
      for (int64_t r = 0; r < R; ++r) {
        const int64_t k = fo.kt * R + r;
        if (n < N && k < K) {
          int32_t p = static_cast<int32_t>(x_[i * K + k]) * w_[k * N + n];
          if (!bits.empty() && bits[static_cast<size_t>(per_fold ? f * R + r : r)]) p = -p;
          acc += static_cast<uint32_t>(p);
        }
        cur[static_cast<size_t>(r)] = acc;
      }
    } else {
      std::fill(cur.begin(), cur.end(), 0u);
    }
    bool any = false;
    for (int64_t r = 0; r < R; ++r) {
      const uint32_t d = cur[static_cast<size_t>(r)] ^ prev[static_cast<size_t>(r)];
      if (d) {
        any = true;
        const int64_t at = t + r + c;
        if (at < cycles_) out[static_cast<size_t>(at)] += pc32(d);
      }
      prev[static_cast<size_t>(r)] = cur[static_cast<size_t>(r)];
    }
    (void)any;
  }
}

std::vector<double> ToggleModel::total(const Key* key) const {
  std::vector<double> t = fixed_, col;
  std::vector<uint8_t> bits;
  for (int c = 0; c < g_.cols; ++c) {
    bits.clear();
    if (key)
      for (int r = 0; r < g_.rows; ++r) bits.push_back(static_cast<uint8_t>(key->bit(r, c)));
    column(c, bits, col);
    for (size_t i = 0; i < t.size(); ++i) t[i] += col[i];
  }
  return t;
}

std::vector<double> ToggleModel::total(const KeySource* key, int64_t layer) const {
  std::vector<double> t = fixed_, col;
  const int64_t R = g_.rows, C = g_.cols, F = sch_.folds();
  std::vector<uint8_t> planes;
  if (key) {
    planes.resize(static_cast<size_t>(F * R * C));
    for (int64_t f = 0; f < F; ++f) key->fold_plane(layer, f, planes.data() + f * R * C);
  }
  std::vector<uint8_t> bits;
  for (int64_t c = 0; c < C; ++c) {
    bits.clear();
    for (int64_t f = 0; key && f < F; ++f)
      for (int64_t r = 0; r < R; ++r) bits.push_back(planes[static_cast<size_t>((f * R + r) * C + c)]);
    column(static_cast<int>(c), bits, col);
    for (size_t i = 0; i < t.size(); ++i) t[i] += col[i];
  }
  return t;
}

std::vector<double> simulate_toggles(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const Key* key,
                                     int64_t max_cycles) {
  return ToggleModel(x, w, shape, g, max_cycles).total(key);
}

namespace {
// Records the activations of one GEMM while forwarding to the functional backend.
class RecordingBackend : public ArrayBackend {
 public:
  RecordingBackend(Geometry g, size_t want) : inner_(g), want_(want) {}
  std::string name() const override { return "recording"; }
  Geometry geometry() const override { return inner_.geometry(); }
  void reset(const KeySource* key) override { inner_.reset(key); }
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override {
    if (seen_++ == want_) {
      x_.assign(job.x, job.x + job.shape.m * job.shape.k);
      shape_ = job.shape;
    }
    return inner_.run_gemm(job, y);
  }
  FunctionalBackend inner_;
  size_t want_, seen_ = 0;
  std::vector<int8_t> x_;
  GemmShape shape_;
};
}  // namespace

std::vector<int8_t> gemm_inputs(const QuantModel& model, Geometry g, const Key* key, const uint8_t* pixels,
                                int64_t count, size_t gemm_index, GemmShape* shape) {
  std::unique_ptr<SerialKeySource> src;
  if (key) src = std::make_unique<SerialKeySource>(*key);
  return gemm_inputs(model, g, src.get(), pixels, count, gemm_index, shape);
}

std::vector<int8_t> gemm_inputs(const QuantModel& model, Geometry g, const KeySource* key, const uint8_t* pixels,
                                int64_t count, size_t gemm_index, GemmShape* shape) {
  RecordingBackend be(g, gemm_index);
  be.reset(key);
  Int8Runner runner(model, be);
  runner.run(pixels, count);
  if (be.seen_ <= gemm_index) throw Error("power: the model has no Gemm/Conv number " + std::to_string(gemm_index));
  if (shape) *shape = be.shape_;
  return be.x_;
}

}  // namespace keymac
