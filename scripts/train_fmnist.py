#!/usr/bin/python3
"""Train the shipped Fashion-MNIST networks and export them to ONNX.

Run with Debian's interpreter (python3-torch lives there):

    /usr/bin/python3 scripts/train_fmnist.py --arch mlp --epochs 15 --seed 1 \
        --out models/fmnist_mlp.onnx --card models/fmnist_mlp.md

Data: the gzip IDX files of Debian's `dataset-fashion-mnist`
(/usr/share/datasets/fashion-mnist, or --data-dir). Nothing is downloaded.
Pixels are scaled to [0, 1] (x / 255, torchvision's ToTensor convention) and
not mean/std normalised; the C++ host must feed the network the same way.

Contract: given the same seed, options and torch build, the trained weights,
the ONNX file and the printed accuracy are the same on every run (one thread,
deterministic algorithms, a seeded shuffle). Outputs are written to a
temporary file and renamed, so an interrupted run never leaves a half-written
model or card. Any error is one line on stderr and exit code 1.

The exported graph uses only the ops the C++ importer supports
(SUPPORTED_OPS); the export is checked after writing and refused otherwise.
"""

import argparse
import gzip
import os
import shlex
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn

PROG = "train_fmnist.py"
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
DATA_PACKAGE = "dataset-fashion-mnist"
OPSET = 13
BATCH = 128
# Ops the C++ importer (host/) understands. Keep in sync with it.
SUPPORTED_OPS = frozenset([
    "Gemm", "MatMul", "Add", "Conv", "Relu", "MaxPool", "AveragePool",
    "Flatten", "Reshape", "Constant", "Identity", "Dropout",
    "BatchNormalization", "GlobalAveragePool",
])
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class UserError(Exception):
    """An error reported as one line on stderr with exit code 1."""


# ----------------------------------------------------------------- data

def read_idx(path, want_magic, want_dims):
    """Read a gzip IDX file; return a uint8 array of shape (n, *want_dims)."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise UserError(f"cannot read {path}: no such file "
                        f"(install Debian package '{DATA_PACKAGE}' or pass --data-dir)")
    except (OSError, EOFError) as e:  # BadGzipFile is an OSError
        raise UserError(f"cannot read {path}: corrupt gzip ({e})")
    hdr = 4 + 4 * (1 + len(want_dims))
    if len(raw) < hdr:
        raise UserError(f"cannot read {path}: truncated IDX header")
    magic = struct.unpack(">I", raw[:4])[0]
    if magic != want_magic:
        raise UserError(f"cannot read {path}: IDX magic {magic:#x}, expected {want_magic:#x}")
    dims = struct.unpack(">" + "I" * (1 + len(want_dims)), raw[4:hdr])
    if tuple(dims[1:]) != tuple(want_dims):
        raise UserError(f"cannot read {path}: IDX dims {dims}, expected (n, {want_dims})")
    n = dims[0]
    size = n * int(np.prod(want_dims, dtype=np.int64))
    if len(raw) - hdr != size:
        raise UserError(f"cannot read {path}: {len(raw) - hdr} data bytes, expected {size}")
    return np.frombuffer(raw, dtype=np.uint8, offset=hdr).reshape((n,) + tuple(want_dims))


def load_split(data_dir, split, limit):
    """Return (images float32 [n,1,28,28] in [0,1], labels int64 [n])."""
    img_path = os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz")
    lbl_path = os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz")
    images = read_idx(img_path, 0x00000803, (28, 28))
    labels = read_idx(lbl_path, 0x00000801, ())
    if len(images) != len(labels):
        raise UserError(f"cannot read {img_path}: {len(images)} images but "
                        f"{len(labels)} labels in {lbl_path}")
    if labels.size and labels.max() > 9:
        raise UserError(f"cannot read {lbl_path}: label {labels.max()} out of range 0..9")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


# ---------------------------------------------------------------- models

class Mlp(nn.Module):
    """784-128-64-10; input [N, 784] (the image flattened row-major)."""
    input_shape = (784,)

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(784, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    """LeNet-style; input [N, 1, 28, 28]."""
    input_shape = (1, 28, 28)

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),     # 8x24x24 -> 8x12x12
            nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),    # 16x8x8 -> 16x4x4
            nn.Flatten(),
            nn.Linear(256, 64), nn.ReLU(),
            nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class BasicBlock(nn.Module):
    """ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU.

    The shortcut is the identity, or a strided 1x1 convolution + BN (the
    "projection" of He et al.) when the stride or the channel count changes.
    """

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()
        self.proj = None
        if stride != 1 or c_in != c_out:
            self.proj = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    """Small ResNet; input [N, 1, 28, 28]; 3 basic blocks, the second with a projection."""
    input_shape = (1, 28, 28)

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2))                                    # 8x28x28 -> 8x14x14
        self.blocks = nn.Sequential(
            BasicBlock(8, 8, 1),                                # 8x14x14
            BasicBlock(8, 16, 2),                               # 16x7x7, 1x1/2 projection
            BasicBlock(16, 16, 1))                              # 16x7x7
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


ARCHS = {"mlp": Mlp, "cnn": Cnn, "resnet": ResNet}
ARCH_TEXT = {
    "mlp": "Linear(784,128) - ReLU - Linear(128,64) - ReLU - Linear(64,10)",
    "cnn": ("Conv2d(1,8,5) - ReLU - MaxPool2d(2) - Conv2d(8,16,5) - ReLU - MaxPool2d(2) - "
            "Flatten - Linear(256,64) - ReLU - Linear(64,10)  (convolutions: stride 1, padding 0)"),
    "resnet": ("stem Conv2d(1,8,3,pad 1) - BN - ReLU - MaxPool2d(2); 3 basic blocks "
               "[conv3x3-BN-ReLU-conv3x3-BN + shortcut, ReLU]: 8->8 (identity), "
               "8->16 stride 2 (shortcut Conv2d 1x1 stride 2 + BN), 16->16 (identity); "
               "GlobalAveragePool - Flatten - Linear(16,10); convolutions without bias "
               "(BN follows each)"),
}
# Archs whose BatchNorm layers are kept as standalone BatchNormalization nodes
# in the export (TrainingMode.PRESERVE on an eval-mode model): torch's default
# eval export folds BN into the Conv before it, which would hide the op from
# the importer that is meant to handle (and fold) it.
KEEP_BN = frozenset(["resnet"])


# ------------------------------------------------------------ ONNX check

def _varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """Yield (field_number, wire_type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(buf, i)
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if i > len(buf):
            raise ValueError("truncated field")
        yield field, wire, val


def onnx_summary(path):
    """Return (op_types in graph order, {domain: opset version}) of an ONNX file.

    A minimal protobuf reader (ModelProto.graph = 7, .opset_import = 8;
    GraphProto.node = 1; NodeProto.op_type = 4), so the check needs no `onnx`
    Python module.
    """
    with open(path, "rb") as f:
        buf = f.read()
    ops, opsets = [], {}
    for field, wire, val in _fields(buf):
        if field == 7 and wire == 2:
            for gf, gw, gv in _fields(val):
                if gf == 1 and gw == 2:
                    for nf, nw, nv in _fields(gv):
                        if nf == 4 and nw == 2:
                            ops.append(nv.decode())
        elif field == 8 and wire == 2:
            dom, ver = "", None
            for of, ow, ov in _fields(val):
                if of == 1 and ow == 2:
                    dom = ov.decode()
                elif of == 2 and ow == 0:
                    ver = ov
            opsets[dom] = ver
    return ops, opsets


def export_onnx(model, input_shape, out_path, keep_bn=False):
    """Export `model` (eval mode) like the shipped models; check its ops; rename into place."""
    model.eval()
    dummy = torch.zeros((1,) + tuple(input_shape))
    out_dir = os.path.dirname(os.path.abspath(out_path))
    if not os.path.isdir(out_dir):
        raise UserError(f"cannot write {out_path}: directory {out_dir} does not exist")
    tmp = out_path + ".tmp"
    try:
        mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
        torch.onnx.export(model, dummy, tmp, opset_version=OPSET, training=mode,
                          do_constant_folding=not keep_bn,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        ops, opsets = onnx_summary(tmp)
        bad = sorted(set(ops) - SUPPORTED_OPS)
        if bad:
            raise UserError(f"export of {out_path} produced unsupported ONNX ops {bad}")
        if opsets.get("") != OPSET:
            raise UserError(f"export of {out_path} has opset {opsets}, expected {OPSET}")
        os.replace(tmp, out_path)
    except OSError as e:
        raise UserError(f"cannot write {out_path}: {e.strerror or e}")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return ops


def setup_torch(seed, threads):
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass  # already set (only possible once per process)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    np.random.seed(seed)


# -------------------------------------------------------------- training

def evaluate(model, x, y, flat):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            xb = x[i:i + 1000]
            if flat:
                xb = xb.reshape(len(xb), -1)
            correct += (model(xb).argmax(1) == y[i:i + 1000]).sum().item()
    return correct


def train(args):
    setup_torch(args.seed, args.threads)
    x_train, y_train = load_split(args.data_dir, "train", args.limit_train)
    x_test, y_test = load_split(args.data_dir, "t10k", args.limit_test)
    if len(x_train) == 0 or len(x_test) == 0:
        raise UserError("nothing to train or test on (--limit-train / --limit-test is 0)")
    flat = args.arch == "mlp"
    if flat:
        x_train = x_train.reshape(len(x_train), -1)

    model = ARCHS[args.arch]()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(x_train) + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)

    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for i in range(0, len(x_train), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        msg = f"epoch {epoch + 1}/{args.epochs}: train loss {total / len(x_train):.4f}"
        if args.verbose:
            msg += f", test acc {evaluate(model, x_test, y_test, flat) / len(x_test):.4f}"
        print(msg + f" ({time.time() - t0:.1f} s)", flush=True)
    train_s = time.time() - t0

    correct = evaluate(model, x_test, y_test, flat)
    acc = correct / len(x_test)
    ops = export_onnx(model, ARCHS[args.arch].input_shape, args.out,
                      keep_bn=args.arch in KEEP_BN)
    print(f"ONNX ops: {' '.join(ops)}")
    print(f"wrote {args.out}")
    if args.card:
        write_card(args, acc, correct, len(x_test), len(x_train), ops, train_s)
        print(f"wrote {args.card}")
    print(f"float test accuracy: {acc:.4f} ({correct}/{len(x_test)}), "
          f"training {train_s:.1f} s")


def write_card(args, acc, correct, n_test, n_train, ops, train_s):
    cmd = shlex.join(["/usr/bin/python3"] + sys.argv)
    name = os.path.splitext(os.path.basename(args.out))[0]
    in_shape = "[batch, 784]" if args.arch == "mlp" else "[batch, 1, 28, 28]"
    pre = ("28x28 image flattened row-major to 784 values; " if args.arch == "mlp"
           else "28x28 image as one channel; ")
    n_params = sum(p.numel() for p in ARCHS[args.arch]().parameters())
    test_note = "all 10,000" if n_test == 10000 else f"the first {n_test}"
    lines = [
        f"# {name}",
        "",
        f"Fashion-MNIST classifier ({args.arch}), trained by `scripts/train_fmnist.py`.",
        "",
        "| field | value |",
        "|---|---|",
        f"| file | `{os.path.basename(args.out)}` |",
        f"| architecture | {ARCH_TEXT[args.arch]} |",
        f"| parameters | {n_params:,} (float32, with biases) |",
        f"| input | `input`, float32 {in_shape}, dynamic batch |",
        f"| output | `logits`, float32 [batch, 10] (no softmax) |",
        f"| preprocessing | {pre}pixel / 255 into [0, 1]; no mean/std normalisation |",
        f"| classes | {', '.join(f'{i} {c}' for i, c in enumerate(CLASSES))} |",
        f"| dataset | Fashion-MNIST, Debian package `{DATA_PACKAGE}` "
        f"(`{DEFAULT_DATA_DIR}/*-ubyte.gz`); trained on {n_train:,} train images |",
        f"| float test accuracy | {acc:.4f} ({correct}/{n_test}, {test_note} t10k images) |",
        "| int8 accuracy on the simulated 16x16 keyed array | TBD (filled by keymac run) |",
        f"| training | Adam lr {args.lr:g} with cosine decay to 0, batch {BATCH}, "
        f"{args.epochs} epochs, seed {args.seed}, {args.threads} thread(s); "
        f"{train_s:.0f} s on the build machine |",
        f"| command | `{cmd}` |",
        f"| export | `torch.onnx.export`, opset {OPSET}, eval mode"
        + ("; BatchNormalization kept as standalone nodes (TrainingMode.PRESERVE, no constant "
           "folding), so keymac's importer folds them itself" if args.arch in KEEP_BN else "") + " |",
        f"| ONNX ops | {', '.join(ops)} |",
        f"| torch | {torch.__version__} (Debian `python3-torch` {debian_version('python3-torch')}) |",
        "",
        "Retraining with the command above on the same torch build and BLAS library",
        "reproduces the weights exactly (one thread, deterministic algorithms, seeded",
        "shuffle). Float rounding depends on the BLAS that torch's Linear layers call,",
        f"here {blas_library()};",
        "another BLAS (e.g. OpenBLAS) may give slightly different weights and accuracy.",
        "Retraining rewrites this card, so the int8 line returns to TBD until",
        "keymac is run on the new model.",
        "",
    ]
    tmp = args.card + ".tmp"
    try:
        with open(tmp, "w") as f:
            f.write("\n".join(lines))
        os.replace(tmp, args.card)
    except OSError as e:
        raise UserError(f"cannot write {args.card}: {e.strerror or e}")


def debian_version(pkg):
    """Installed version of a Debian package, or 'version unknown'."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() \
            else "version unknown"
    except (OSError, subprocess.SubprocessError):
        return "version unknown"


def blas_library():
    """Where Debian's libblas.so.3 alternative points (which BLAS torch uses)."""
    link = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    if not os.path.exists(link):
        return "unknown"
    real = os.path.realpath(link)
    try:
        out = subprocess.run(["dpkg-query", "-S", real],
                             capture_output=True, text=True, timeout=10)
        pkg = out.stdout.split(":")[0].strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        pkg = ""
    return f"`{real}`" + (f", Debian `{pkg}`" if pkg else "")


def nonneg_int(s):
    v = int(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{s} is negative")
    return v


def pos_int(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"{s} must be at least 1")
    return v


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("--arch", choices=sorted(ARCHS), default="mlp")
    ap.add_argument("--epochs", type=pos_int, default=15)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--limit-train", type=nonneg_int, default=None, metavar="N",
                    help="train on the first N training images only")
    ap.add_argument("--limit-test", type=nonneg_int, default=None, metavar="N",
                    help="test on the first N test images only")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, metavar="PATH.onnx")
    ap.add_argument("--card", default=None, metavar="PATH.md",
                    help="write the model card here")
    ap.add_argument("--threads", type=pos_int, default=1)
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR, metavar="DIR")
    ap.add_argument("--verbose", action="store_true",
                    help="also print test accuracy after every epoch")
    args = ap.parse_args()
    try:
        train(args)
    except UserError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
