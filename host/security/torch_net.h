// A keymac QuantModel as a torch module, for the attacks that need gradients
// (relaxed-key search, fine-tuning). Every Gemm/Conv becomes a float weight
// W[k][n] = w_int8[k][n] * s_w[n] (s_w = acc_scale / input scale of the layer,
// the per-channel weight scale of the quantizer) and bias b[n] = bias_int32[n]
// * acc_scale[n]: the dequantised model a plain float accelerator runs. ReLU,
// pools and reshapes follow keymac's float executor (float_executor.cc):
// pools skip padding, average pools divide by the in-bounds count.
// Contract: forward(x) takes preprocessed inputs [B, input_shape...] and
// returns [B, num_outputs] float scores. forward(x, signs) multiplies every
// weight W[k][n] by signs[k mod R][n mod C] (signs: an R x C tensor: +-1 for a
// hard key, anything in between for a relaxed one), exactly as the keyed array
// multiplies products by (1 - 2 key) (ARCHITECTURE.md), so for a locked model
// forward(x, 1 - 2*key) is the unlocked model. Only weights and biases are
// parameters (weights(), biases()). The constructor throws keymac::Error for a
// layer torch cannot express the same way (asymmetric pool padding).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"

namespace keymac {

class TorchNet : public torch::nn::Module {
 public:
  explicit TorchNet(const QuantModel& model);

  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& signs);

  // K x N weights and N biases of every Gemm/Conv, in layer order.
  const std::vector<torch::Tensor>& weights() const { return weights_; }
  const std::vector<torch::Tensor>& biases() const { return biases_; }
  // Re-draws every weight and bias as a fresh network of the same
  // architecture (PyTorch's default Linear/Conv init: U(-1/sqrt(K), 1/sqrt(K))).
  void reinitialize(uint64_t seed);

 private:
  struct Op {
    QuantLayer layer;  // shapes, window, kind, relu (no weights kept)
    int param = -1;    // index into weights_/biases_ for Gemm/Conv
  };
  torch::Tensor run(const torch::Tensor& x, const torch::Tensor* signs);
  std::vector<Op> ops_;
  std::vector<torch::Tensor> weights_, biases_;
};

// `count` images from `first` preprocessed as `model` expects, shaped
// [count, input_shape...]; labels as int64 [count].
torch::Tensor images_tensor(const ImageSet& set, int64_t first, int64_t count, const QuantModel& model);
torch::Tensor labels_tensor(const ImageSet& set, int64_t first, int64_t count);

// Top-1 accuracy in percent over x/labels, in batches, without gradients.
double torch_accuracy(TorchNet& net, const torch::Tensor& x, const torch::Tensor& labels,
                      const torch::Tensor* signs = nullptr, int64_t batch = 1000);

}  // namespace keymac
