#include "host/quant/quant_check.h"

#include <algorithm>

#include "host/model/host_ops.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

bool window_ok(const Window2d& w) {
  return w.kh > 0 && w.kw > 0 && w.sh > 0 && w.sw > 0 && w.dh > 0 && w.dw > 0 && w.uh > 0 && w.uw > 0 && w.pt >= 0 &&
         w.pl >= 0 && w.pb >= 0 && w.pr >= 0;
}

bool conv_shapes_ok(const QuantLayer& l) {
  return l.in_shape.size() == 3 && l.out_shape.size() == 3 && window_ok(l.win) &&
         l.out_shape[1] == l.win.out_h(static_cast<int>(l.in_shape[1])) &&
         l.out_shape[2] == l.win.out_w(static_cast<int>(l.in_shape[2])) && l.out_shape[1] > 0 && l.out_shape[2] > 0;
}

bool axis_ok(int64_t a, const Shape& s) { return a >= 0 && a < static_cast<int64_t>(s.size()); }

// Per-kind consistency; `shapes` are the shapes of the layer's inputs.
bool layer_ok(const QuantLayer& l, const std::vector<Shape>& shapes) {
  const Shape& in = l.in_shape;
  const OpParams& p = l.p;
  const size_t nin = shapes.size();
  switch (l.kind) {
    case LayerKind::kGemm:
      return nin == 1 && !in.empty() && in.back() == l.k && l.out_shape.size() == in.size() && l.out_shape.back() == l.n &&
             std::equal(in.begin(), in.end() - 1, l.out_shape.begin());
    case LayerKind::kConv:
      return nin == 1 && conv_shapes_ok(l) && l.k == in[0] * l.win.kh * l.win.kw && l.out_shape[0] == l.n;
    case LayerKind::kMatMulAct: {
      const Shape& b = shapes.back();
      return nin == 2 && in.size() >= 2 && b.size() == in.size() && std::equal(in.begin(), in.end() - 2, b.begin()) &&
             in.back() == l.k && b[b.size() - 2] == l.k && b.back() == l.n && l.out_shape.size() == in.size() &&
             std::equal(in.begin(), in.end() - 1, l.out_shape.begin()) && l.out_shape.back() == l.n &&
             l.acc_scale.size() == 1 && l.requant.size() == (l.output_int32 ? 0u : 1u);
    }
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      // Dilation: MaxPool only; the ceil_mode extension (ceil_b/ceil_r) is not padding a window may start in.
      return nin == 1 && conv_shapes_ok(l) && l.win.uh == 1 && l.win.uw == 1 &&
             (l.kind == LayerKind::kMaxPool || (l.win.dh == 1 && l.win.dw == 1)) && l.out_shape[0] == in[0] &&
             l.win.pt < l.win.kh && l.win.pb - l.win.ceil_b < l.win.kh && l.win.pl < l.win.kw &&
             l.win.pr - l.win.ceil_r < l.win.kw && l.win.ceil_b < l.win.sh && l.win.ceil_r < l.win.sw;
    case LayerKind::kRelu: case LayerKind::kReshape:
      return nin == 1 && numel(l.out_shape) == numel(in);
    case LayerKind::kSqrt: case LayerKind::kErf: case LayerKind::kSigmoid: case LayerKind::kTanh: case LayerKind::kLeakyRelu:
    case LayerKind::kHardSwish: case LayerKind::kHardSigmoid: case LayerKind::kClip: case LayerKind::kExp:
    case LayerKind::kAbs: case LayerKind::kNeg: case LayerKind::kFloor: case LayerKind::kCeil: case LayerKind::kRound:
    case LayerKind::kLog: case LayerKind::kReciprocal: case LayerKind::kSign: case LayerKind::kSoftplus:
    case LayerKind::kSoftsign: case LayerKind::kElu: case LayerKind::kSelu: case LayerKind::kCelu:
    case LayerKind::kThresholdedRelu: case LayerKind::kShrink: case LayerKind::kSin: case LayerKind::kCos:
    case LayerKind::kTan: case LayerKind::kAsin: case LayerKind::kAcos: case LayerKind::kAtan: case LayerKind::kSinh:
    case LayerKind::kCosh: case LayerKind::kAsinh: case LayerKind::kAcosh: case LayerKind::kAtanh:
      return nin == 1 && l.out_shape == in;
    case LayerKind::kScaleShift:
      return nin == 1 && l.out_shape == in && p.consts.size() == static_cast<size_t>(in[0]) && p.consts2.size() == p.consts.size();
    case LayerKind::kSoftmax:
      return nin == 1 && l.out_shape == in && p.axes.size() == 1 && axis_ok(p.axes[0], in);
    case LayerKind::kLayerNorm:
      return nin == 1 && l.out_shape == in && p.axes.size() == 1 && axis_ok(p.axes[0], in);  // gamma/beta index modulo their size
    case LayerKind::kAdd: case LayerKind::kSub: case LayerKind::kMul: case LayerKind::kDiv: case LayerKind::kPow:
    case LayerKind::kPRelu: {
      bool ok = false;
      if (nin == 2) {
        const Shape o = broadcast_shapes(shapes[0], shapes[1], ok);
        return ok && o == in && l.out_shape == in && (l.join_mult.empty() || (l.kind == LayerKind::kAdd && l.join_mult.size() == 2));
      }
      const Shape o = broadcast_shapes(in, p.const_shape, ok);
      return nin == 1 && ok && o == in && l.out_shape == in && numel(p.const_shape) == static_cast<int64_t>(p.consts.size()) &&
             !p.consts.empty() && l.join_mult.empty();
    }
    case LayerKind::kConcat: {
      if (p.axes.size() != 1 || !axis_ok(p.axes[0], in) || l.out_shape.size() != in.size() || l.join_mult.size() != nin) return false;
      int64_t sum = 0;
      for (const auto& s : shapes) {
        if (s.size() != in.size()) return false;
        for (size_t d = 0; d < s.size(); ++d)
          if (static_cast<int64_t>(d) != p.axes[0] && s[d] != l.out_shape[d]) return false;
        sum += s[static_cast<size_t>(p.axes[0])];
      }
      return sum == l.out_shape[static_cast<size_t>(p.axes[0])];
    }
    case LayerKind::kTranspose: {
      if (nin != 1 || p.axes.size() != in.size() || l.out_shape.size() != in.size()) return false;
      std::vector<bool> seen(in.size(), false);
      for (size_t d = 0; d < in.size(); ++d) {
        if (!axis_ok(p.axes[d], in) || seen[static_cast<size_t>(p.axes[d])]) return false;
        seen[static_cast<size_t>(p.axes[d])] = true;
        if (l.out_shape[d] != in[static_cast<size_t>(p.axes[d])]) return false;
      }
      return true;
    }
    case LayerKind::kReduceMean: {
      if (nin != 1 || p.axes.empty() || !std::is_sorted(p.axes.begin(), p.axes.end()) ||
          std::adjacent_find(p.axes.begin(), p.axes.end()) != p.axes.end())
        return false;
      int64_t red = 1;
      for (auto a : p.axes) {
        if (!axis_ok(a, in)) return false;
        red *= in[static_cast<size_t>(a)];
      }
      return numel(l.out_shape) * red == numel(in);
    }
    case LayerKind::kSlice: {
      if (nin != 1 || l.out_shape.size() != in.size() || p.axes.empty() || p.starts.size() != p.axes.size() ||
          p.steps.size() != p.axes.size())
        return false;
      Shape expect = in;
      for (size_t i = 0; i < p.axes.size(); ++i) {
        if (!axis_ok(p.axes[i], in) || p.steps[i] == 0) return false;
        const int64_t dim = in[static_cast<size_t>(p.axes[i])], cnt = l.out_shape[static_cast<size_t>(p.axes[i])];
        const int64_t lastv = p.starts[i] + (cnt - 1) * p.steps[i];
        if (p.starts[i] < 0 || p.starts[i] >= dim || lastv < 0 || lastv >= dim || cnt < 1) return false;
        expect[static_cast<size_t>(p.axes[i])] = cnt;
      }
      return expect == l.out_shape;
    }
  }
  return false;
}

}  // namespace

void check_quant_model(const QuantModel& m, const std::string& path) {
  if (m.layers.empty()) throw Error(path + ": package has no layers");
  for (size_t li = 0; li < m.layers.size(); ++li) {
    const QuantLayer& l = m.layers[li];
    const auto ins = m.inputs_of(li);
    std::vector<Shape> shapes;
    for (int t : ins) {
      if (t < kGraphInput || t >= static_cast<int>(li)) throw Error(path + ": layer " + l.name + " reads tensor " + std::to_string(t) + ", which is not computed before it");
      shapes.push_back(t == kGraphInput ? m.input_shape : m.layers[static_cast<size_t>(t)].out_shape);
    }
    if (ins.empty() || l.in_shape != shapes[0])
      throw Error(path + ": layer " + l.name + " input " + shape_str(l.in_shape) + " does not follow " +
                  (shapes.empty() ? std::string("[]") : shape_str(shapes[0])));
    if (!layer_ok(l, shapes)) throw Error(path + ": layer " + l.name + " has inconsistent shapes");
    if (l.output_int32 && li + 1 != m.layers.size()) throw Error(path + ": layer " + l.name + " has an int32 output but is not the last layer");
  }
  if (numel(m.layers.back().out_shape) != m.num_outputs) throw Error(path + ": output size does not match num_outputs");
}

}  // namespace keymac
