#!/usr/bin/env python3
"""Builds one small PyTorch model per graph feature of issue 12, exports each
to ONNX and saves PyTorch's own outputs next to it, for tests/host/graph_models_test.cc.

Usage: make_graph_models.py OUT_DIR
Writes OUT_DIR/<name>.onnx, <name>.in (float32 input, raw), <name>.out
(PyTorch's float32 output, raw) and OUT_DIR/models.txt with one line per model:
  <name> <input shape, comma-separated, batch first> <output count per sample>
Weights are random (seeded); inputs are seeded normal noise. Runs in seconds.
"""
import os
import sys

import torch
import torch.nn as nn

torch.manual_seed(1234)
BATCH = 64


class Residual(nn.Module):
    """Two basic blocks, one with a strided 1x1 projection (BatchNorm folded)."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.c1 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                                nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.c2 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16))
        self.proj = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(self.c1(x) + x)
        x = torch.relu(self.c2(x) + self.proj(x))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class StandaloneBN(nn.Module):
    """BatchNorm after a pool (nothing to fold into): a per-channel scale."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5)
        self.bn = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6 * 12 * 12, 10)

    def forward(self, x):
        x = self.bn(nn.functional.max_pool2d(torch.relu(self.conv(x)), 2))
        return self.fc(torch.flatten(x, 1))


class Act(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.act = act
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ConvNet(nn.Module):
    def __init__(self, layers, feat):
        super().__init__()
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(feat, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.body(x), 1))


class ConcatNet(nn.Module):
    """Inception-style branches of different scales joined by Concat."""
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(1, 6, 5, padding=2)
        self.fc = nn.Linear(10 * 7 * 7, 10)

    def forward(self, x):
        x = torch.cat([torch.relu(self.a(x)), torch.sigmoid(self.b(x)) * 3.0], dim=1)
        return self.fc(torch.flatten(nn.functional.max_pool2d(x, 4), 1))


class SplitSlice(nn.Module):
    """Split of the channels into two branches, joined again, then a strided Slice."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 24 * 13, 10)

    def forward(self, x):
        a, b = torch.split(self.conv(x), [3, 5], dim=1)
        x = torch.cat([torch.relu(a), torch.tanh(b) - b], dim=1)
        return self.fc(torch.flatten(x[:, :, 1:-1, ::2], 1))


class Attention(nn.Module):
    """Multi-head self-attention written batch-first (torch's nn.MultiheadAttention
    exports time-major reshapes that move the batch axis, which keymac refuses)."""
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        n, l, d = x.shape
        split = lambda t: t.reshape(-1, l, self.h, self.dk).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(q @ k.transpose(-2, -1) / self.dk ** 0.5, dim=-1)
        return self.o((a @ v).transpose(1, 2).reshape(-1, l, d))


class Encoder(nn.Module):
    """One post-norm transformer encoder layer (attention + GELU MLP, LayerNorm)
    over 28 rows of 28 pixels."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(28, 32)
        self.att = Attention(32, 4)
        self.n1, self.n2 = nn.LayerNorm(32), nn.LayerNorm(32)
        self.mlp = nn.Sequential(nn.Linear(32, 64), nn.GELU(), nn.Linear(64, 32))
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        h = self.embed(x)
        h = self.n1(h + self.att(h))
        h = self.n2(h + self.mlp(h))
        return self.head(h.mean(dim=1))


def conv_models():
    return {
        "grouped_conv": (ConvNet([nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3, groups=4), nn.ReLU(),
                                  nn.MaxPool2d(4)], 8 * 6 * 6), (1, 28, 28)),
        "depthwise_conv": (ConvNet([nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, groups=8, padding=1),
                                    nn.ReLU(), nn.Conv2d(8, 12, 1), nn.ReLU(), nn.AvgPool2d(4)], 12 * 7 * 7), (1, 28, 28)),
        "dilated_conv": (ConvNet([nn.Conv2d(1, 6, 3, dilation=2, stride=2, padding=2), nn.ReLU(),
                                  nn.Conv2d(6, 8, 3, dilation=3), nn.ReLU()], 8 * 8 * 8), (1, 28, 28)),
        "conv_transpose": (ConvNet([nn.Conv2d(1, 6, 3, stride=2), nn.ReLU(),
                                    nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                    nn.MaxPool2d(2)], 4 * 13 * 13), (1, 28, 28)),
        "cifar_shape": (ConvNet([nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)], 8), (3, 32, 32)),
    }


def conv1d_models():
    """Conv1d ([N,C,L] inputs, mapped to 2-D with H=1): padding='same', MaxPool1d with
    ceil_mode=True, a dilated conv and a dilated MaxPool1d, AvgPool1d with ceil_mode
    (its last window is partial). count_include_pad=1 with padding exports as Pad +
    AveragePool, so only the ONNX node tests cover it.
    Debian's torch cannot export padding="same" (aten::_convolution_mode), so the
    convs pad explicitly by (k-1)*d/2 (the same output for odd kernels) and
    same_pad_to_auto_pad() rewrites them to auto_pad=SAME_UPPER after export."""
    return {
        "conv1d": (ConvNet([nn.Conv1d(4, 8, 5, padding=2), nn.ReLU(), nn.MaxPool1d(3, stride=2, ceil_mode=True),
                            nn.Conv1d(8, 8, 3, padding=2, dilation=2), nn.ReLU(),
                            nn.MaxPool1d(2, stride=1, dilation=2),
                            nn.AvgPool1d(2, stride=2, ceil_mode=True, count_include_pad=False)], 8 * 12),
                   (4, 50)),
    }


def unary_models():
    """Elementwise activations PyTorch exports as single unary ONNX ops (host, float
    on dequantised values in int8): ELU, SELU, CELU, Softplus; and PReLU (a learned
    per-feature slope, seeded away from 0.25 so it is not a constant)."""
    prelu = nn.PReLU(64)
    with torch.no_grad():
        prelu.weight.uniform_(-0.5, 0.5)
    return {
        "act_elu": (Act(nn.ELU(0.7)), (784,)),
        "act_selu": (Act(nn.SELU()), (784,)),
        "act_celu": (Act(nn.CELU(1.3)), (784,)),
        "act_softplus": (Act(nn.Softplus()), (784,)),
        "act_prelu": (Act(prelu), (784,)),
    }


def same_pad_to_auto_pad(path):
    """Replaces the symmetric explicit pads of every Conv of `path` by auto_pad=SAME_UPPER
    (checked equal: out = in for stride 1), as a padding="same" export would read."""
    import onnx
    model = onnx.load(path)
    for n in model.graph.node:
        if n.op_type != "Conv":
            continue
        attrs = {a.name: a for a in n.attribute}
        k, d = attrs["kernel_shape"].ints, attrs["dilations"].ints
        assert list(attrs["strides"].ints) == [1] * len(k)
        assert list(attrs["pads"].ints) == [(ki - 1) * di // 2 for ki, di in zip(k, d)] * 2
        n.attribute.remove(attrs["pads"])
        n.attribute.append(onnx.helper.make_attribute("auto_pad", "SAME_UPPER"))
    onnx.save(model, path)


def models():
    m = {
        "residual": (Residual(), (1, 28, 28)),
        "standalone_bn": (StandaloneBN(), (1, 28, 28)),
        "concat": (ConcatNet(), (1, 28, 28)),
        "split_slice": (SplitSlice(), (1, 28, 28)),
        "act_sigmoid": (Act(nn.Sigmoid()), (784,)),
        "act_tanh": (Act(nn.Tanh()), (784,)),
        "act_leakyrelu": (Act(nn.LeakyReLU(0.1)), (784,)),
        "act_hardswish": (Act(nn.Hardswish()), (784,)),
        "act_hardsigmoid": (Act(nn.Hardsigmoid()), (784,)),
        "act_gelu_erf": (Act(nn.GELU()), (784,)),
        "act_gelu_tanh": (Act(nn.GELU(approximate="tanh")), (784,)),
        "act_relu6": (Act(nn.ReLU6()), (784,)),
        "act_softmax": (Act(nn.Softmax(dim=1)), (784,)),
    }
    m.update(conv_models())
    m.update(conv1d_models())
    m.update(unary_models())
    m["transformer_op13"] = (Encoder(), (28, 28))
    m["transformer_op17"] = (m["transformer_op13"][0], (28, 28))
    return m


def init_bn(model):
    # Non-trivial running statistics, so folding and the per-channel scale are exercised.
    for mod in model.modules():
        if isinstance(mod, nn.BatchNorm2d):
            with torch.no_grad():
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, (model, shape) in models().items():
        init_bn(model)
        model.eval()
        x = torch.randn((BATCH,) + shape)
        with torch.no_grad():
            y = model(x)
        opset = 17 if name.endswith("op17") else 13
        path = os.path.join(out, name + ".onnx")
        torch.onnx.export(model, x[:1], path, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=opset)
        if name in conv1d_models():
            same_pad_to_auto_pad(path)
        x.numpy().astype("float32").tofile(os.path.join(out, name + ".in"))
        y.numpy().astype("float32").tofile(os.path.join(out, name + ".out"))
        lines.append("%s %s %d" % (name, ",".join(str(d) for d in x.shape), y[0].numel()))
    with open(os.path.join(out, "models.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
