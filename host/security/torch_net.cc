#include "host/security/torch_net.h"

#include <cmath>

#include "sim/core/error.h"

namespace keymac {

namespace F = torch::nn::functional;

namespace {

std::vector<int64_t> batch_shape(int64_t b, const Shape& s) {
  std::vector<int64_t> v{b};
  v.insert(v.end(), s.begin(), s.end());
  return v;
}

// signs (R x C) tiled over K x N: element [k][n] = signs[k mod R][n mod C].
torch::Tensor tile_signs(const torch::Tensor& signs, int64_t k, int64_t n) {
  const int64_t r = signs.size(0), c = signs.size(1);
  return signs.repeat({(k + r - 1) / r, (n + c - 1) / c}).narrow(0, 0, k).narrow(1, 0, n);
}

void check_pool_padding(const QuantLayer& l) {
  const Window2d& w = l.win;
  if (w.pt != w.pb || w.pl != w.pr || 2 * w.pt > w.kh || 2 * w.pl > w.kw)
    throw Error("torch translation: pool layer '" + l.name + "' has padding torch cannot express (asymmetric or over half the kernel)");
}

}  // namespace

TorchNet::TorchNet(const QuantModel& model) {
  if (!model.is_plain_chain()) throw Error("torch translation: " + model.source + " is not a plain chain of Gemm/Conv/Relu/pool layers (DAG models are not supported)");
  float in_scale = model.input_scale;
  for (const QuantLayer& l : model.layers) {
    Op op;
    op.layer = l;
    op.layer.weight.clear();
    op.layer.bias.clear();
    if (l.is_gemm_like()) {
      auto w = torch::empty({l.k, l.n}, torch::kFloat32);
      auto b = torch::empty({l.n}, torch::kFloat32);
      float* wp = w.data_ptr<float>();
      float* bp = b.data_ptr<float>();
      for (int64_t j = 0; j < l.n; ++j) {
        const float acc = l.acc_scale[static_cast<size_t>(j)];
        const float sw = acc / in_scale;
        for (int64_t kk = 0; kk < l.k; ++kk) wp[kk * l.n + j] = static_cast<float>(l.weight[static_cast<size_t>(kk * l.n + j)]) * sw;
        bp[j] = static_cast<float>(static_cast<double>(l.bias[static_cast<size_t>(j)]) * acc);
      }
      op.param = static_cast<int>(weights_.size());
      weights_.push_back(register_parameter("w" + std::to_string(op.param), w));
      biases_.push_back(register_parameter("b" + std::to_string(op.param), b));
      if (!l.output_int32) in_scale = l.out_scale;
    } else if (l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool) {
      check_pool_padding(l);
    }
    ops_.push_back(std::move(op));
  }
}

torch::Tensor TorchNet::forward(const torch::Tensor& x) { return run(x, nullptr); }
torch::Tensor TorchNet::forward(const torch::Tensor& x, const torch::Tensor& signs) { return run(x, &signs); }

torch::Tensor TorchNet::run(const torch::Tensor& x0, const torch::Tensor* signs) {
  const int64_t b = x0.size(0);
  torch::Tensor x = x0;
  for (const Op& op : ops_) {
    const QuantLayer& l = op.layer;
    const Window2d& w = l.win;
    switch (l.kind) {
      case LayerKind::kGemm:
      case LayerKind::kConv: {
        torch::Tensor wt = weights_[static_cast<size_t>(op.param)];
        if (signs) wt = wt * tile_signs(*signs, l.k, l.n);
        const torch::Tensor& bias = biases_[static_cast<size_t>(op.param)];
        if (l.kind == LayerKind::kGemm) {
          x = torch::addmm(bias, x.reshape({b, l.k}), wt);
        } else {
          // K x N with k = (cin*kh + y)*kw + x  ->  [Cout, Cin, kh, kw]
          const int64_t cin = l.in_shape[0];
          auto kernel = wt.t().reshape({l.n, cin, w.kh, w.kw});
          torch::Tensor in = x;
          if (w.pt || w.pb || w.pl || w.pr) in = F::pad(in, F::PadFuncOptions({w.pl, w.pr, w.pt, w.pb}));
          x = F::conv2d(in, kernel, F::Conv2dFuncOptions().bias(bias).stride({w.sh, w.sw}));
        }
        if (l.relu) x = torch::relu(x);
        break;
      }
      case LayerKind::kRelu:
        x = torch::relu(x);
        break;
      case LayerKind::kMaxPool:
        x = F::max_pool2d(x, F::MaxPool2dFuncOptions({w.kh, w.kw}).stride({w.sh, w.sw}).padding({w.pt, w.pl}));
        break;
      case LayerKind::kAvgPool:
        x = F::avg_pool2d(x, F::AvgPool2dFuncOptions({w.kh, w.kw}).stride({w.sh, w.sw}).padding({w.pt, w.pl})
                                 .count_include_pad(false));
        break;
      case LayerKind::kReshape:
        x = x.reshape(batch_shape(b, l.out_shape));
        break;
      default:  // the constructor admits plain chains only
        throw Error(std::string("torch translation: internal: layer kind ") + layer_kind_name(l.kind) +
                    " in a plain chain");
    }
  }
  return x.reshape({b, -1});
}

void TorchNet::reinitialize(uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < weights_.size(); ++i) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(weights_[i].size(0)));
    weights_[i].uniform_(-bound, bound);
    biases_[i].uniform_(-bound, bound);
  }
}

torch::Tensor images_tensor(const ImageSet& set, int64_t first, int64_t count, const QuantModel& model) {
  if (first < 0 || count < 0 || first + count > set.count)
    throw Error("images " + std::to_string(first) + ".." + std::to_string(first + count) + " out of a set of " +
                std::to_string(set.count));
  const int64_t per = static_cast<int64_t>(set.rows) * set.cols;
  if (per != numel(model.input_shape))
    throw Error("model input " + shape_str(model.input_shape) + " does not take " + std::to_string(set.rows) + "x" +
                std::to_string(set.cols) + " images");
  auto t = torch::empty(batch_shape(count, model.input_shape), torch::kFloat32);
  float* p = t.data_ptr<float>();
  const uint8_t* src = set.image(first);
  for (int64_t i = 0; i < count * per; ++i) p[i] = model.preprocess(src[i]);
  return t;
}

torch::Tensor labels_tensor(const ImageSet& set, int64_t first, int64_t count) {
  auto t = torch::empty({count}, torch::kInt64);
  int64_t* p = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i) p[i] = set.labels[static_cast<size_t>(first + i)];
  return t;
}

double torch_accuracy(TorchNet& net, const torch::Tensor& x, const torch::Tensor& labels, const torch::Tensor* signs,
                      int64_t batch) {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  if (n == 0) return 0.0;
  int64_t correct = 0;
  for (int64_t s = 0; s < n; s += batch) {
    const int64_t len = std::min(batch, n - s);
    auto xb = x.narrow(0, s, len);
    auto out = signs ? net.forward(xb, *signs) : net.forward(xb);
    correct += out.argmax(1).eq(labels.narrow(0, s, len)).sum().item<int64_t>();
  }
  return 100.0 * static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace keymac
