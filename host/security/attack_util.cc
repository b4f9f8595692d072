#include "host/security/attack_util.h"

#include <algorithm>
#include <cmath>

namespace keymac {

double cross_entropy(const std::vector<float>& scores, const uint8_t* labels, int64_t count, int64_t classes) {
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float* s = scores.data() + i * classes;
    const double mx = *std::max_element(s, s + classes);
    double z = 0;
    for (int64_t j = 0; j < classes; ++j) z += std::exp(static_cast<double>(s[j]) - mx);
    sum += std::log(z) + mx - static_cast<double>(s[labels[i]]);
  }
  return count ? sum / static_cast<double>(count) : 0.0;
}

double labelled_loss(const CandidateEvaluator& ev, const Key& candidate, const ImageSet& data, int64_t count) {
  count = std::min(count, data.count);
  const auto sc = ev.scores(&candidate, data.pixels.data(), count);
  return cross_entropy(sc, data.labels.data(), count, ev.locked().num_outputs);
}

std::optional<std::array<int64_t, 3>> k_space(const QuantModel& m, size_t li) {
  const QuantLayer& l = m.layers[li];
  if (l.kind == LayerKind::kConv) return std::array<int64_t, 3>{l.in_shape[0], l.win.kh, l.win.kw};
  if (l.kind != LayerKind::kGemm) return std::nullopt;
  Shape s = l.in_shape;
  size_t i = li;
  while (s.size() != 3 && i > 0 && m.layers[i - 1].kind == LayerKind::kReshape) s = m.layers[--i].in_shape;
  if (s.size() != 3 && i == 0) s = m.input_shape;
  if (s.size() == 3 && numel(s) == l.k) return std::array<int64_t, 3>{s[0], s[1], s[2]};
  if (i == 0 && l.k == 28 * 28) return std::array<int64_t, 3>{1, 28, 28};
  return std::nullopt;
}

std::vector<NeighbourPair> neighbour_pairs(const QuantModel& m, size_t li) {
  std::vector<NeighbourPair> p;
  const auto sp = k_space(m, li);
  if (!sp) return p;
  const int64_t c = (*sp)[0], h = (*sp)[1], w = (*sp)[2];
  auto idx = [&](int64_t ci, int64_t y, int64_t x) { return (ci * h + y) * w + x; };
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        if (x + 1 < w) p.push_back({idx(ci, y, x), idx(ci, y, x + 1), 0});
        if (y + 1 < h) p.push_back({idx(ci, y, x), idx(ci, y + 1, x), 1});
        if (y + 1 < h && x + 1 < w) p.push_back({idx(ci, y, x), idx(ci, y + 1, x + 1), 2});
        if (y + 1 < h && x > 0) p.push_back({idx(ci, y, x), idx(ci, y + 1, x - 1), 3});
        if (x + 2 < w) p.push_back({idx(ci, y, x), idx(ci, y, x + 2), 4});
        if (y + 2 < h) p.push_back({idx(ci, y, x), idx(ci, y + 2, x), 5});
      }
  return p;
}

}  // namespace keymac
