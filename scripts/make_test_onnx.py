#!/usr/bin/python3
"""Write a small random-weight PyTorch network as ONNX, for the C++ import tests.

    /usr/bin/python3 scripts/make_test_onnx.py --kind mlp|cnn|mlp-matmul --out FILE [--seed S]

The networks are deliberately shaped unlike the shipped models, so the tests
show that any supported PyTorch export imports, not just those two files.
Weights are PyTorch's default initialisation under torch.manual_seed(S):
untrained, but the same file for the same seed and torch build. Exported
exactly like the shipped models (opset 13, eval mode, input 'input', output
'logits', dynamic batch) and checked to use only ops the importer supports.

  mlp        input [N,1,28,28]: nn.Flatten - Linear(784,40) - ReLU - Dropout
             - Linear(40,10)                       -> Flatten, Gemm, Relu
  cnn        input [N,1,28,28]: Conv(1,4,3,pad 1) - ReLU - AvgPool(2)
             - Conv(4,6,3) - ReLU - MaxPool(2) - x.view(-1, 216)
             - Linear(216,32) - ReLU - Linear(32,10)
             -> Conv, Relu, AveragePool, MaxPool, Reshape (+ its shape
                constant), Gemm
  mlp-matmul input [N,784]: Linear(784,24) - ReLU - x @ W + b with W [24,10]
             -> Gemm, Relu, MatMul, Add

The cnn flattens with x.view(-1, 216) rather than x.view(x.size(0), -1):
with a dynamic batch the latter exports as Shape/Gather/Unsqueeze/Concat
feeding Reshape, ops the importer does not take. Likewise AvgPool2d keeps
count_include_pad=False: with torch's default (True) torch 1.13 exports a
Constant + Pad (all-zero pads) in front of AveragePool even when padding is 0;
with no padding the two settings compute the same thing.

Prints the op types of the written graph, one line. Errors: one line, exit 1.
"""

import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_fmnist import UserError, export_onnx, setup_torch  # noqa: E402

PROG = "make_test_onnx.py"


class TestMlp(nn.Module):
    input_shape = (1, 28, 28)

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 40), nn.ReLU(),
                                 nn.Dropout(0.5), nn.Linear(40, 10))

    def forward(self, x):
        return self.net(x)


class TestCnn(nn.Module):
    input_shape = (1, 28, 28)

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),                     # 4x28x28
            nn.AvgPool2d(2, count_include_pad=False),                     # -> 4x14x14
            nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2))              # 6x12x12 -> 6x6x6
        self.fc1 = nn.Linear(216, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.view(-1, 216)
        return self.fc2(torch.relu(self.fc1(x)))


class TestMlpMatMul(nn.Module):
    input_shape = (784,)

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 24)
        ref = nn.Linear(24, 10)  # default init, stored as [K, N] for x @ W
        self.w2 = nn.Parameter(ref.weight.detach().t().contiguous())
        self.b2 = nn.Parameter(ref.bias.detach().clone())

    def forward(self, x):
        return torch.matmul(torch.relu(self.fc1(x)), self.w2) + self.b2


KINDS = {"mlp": TestMlp, "cnn": TestCnn, "mlp-matmul": TestMlpMatMul}


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=list(KINDS), required=True)
    ap.add_argument("--out", required=True, metavar="FILE")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    try:
        setup_torch(args.seed, 1)
        model = KINDS[args.kind]()
        ops = export_onnx(model, model.input_shape, args.out)
    except UserError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    print(f"{args.out}: {' '.join(ops)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
