#!/usr/bin/python3
"""Datasets of any format and shape, end to end through `keymac infer --dataset`.

The test writes small labelled datasets in each format keymac reads (an IDX
pair that is not Fashion-MNIST, with 4x14x14 images; a NumPy .npz of [784]
float features; a .npy pair of 16x7x7 uint8 images; CIFAR-10 binary
batches of 3x32x32) from class templates plus noise, trains a small PyTorch
model on each (with per-channel mean/std preprocessing), exports it to ONNX,
and checks that keymac's float accuracy equals PyTorch's on the same samples
exactly, int8 on the array is within 2 points of float, and that the
at-chance warning fires on shuffled labels. The CIFAR part needs an importer
that takes 3x32x32 inputs: until then it is reported as SKIPPED with the
importer's refusal (exit code 77 when it is the only thing left).
Env: KEYMAC (binary).
"""
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

from e2e_util import check, export, failures, idx, km

skipped = []


def make_data(rng, n, shape, classes):
    templates = rng.integers(0, 256, (classes,) + shape)
    y = rng.integers(0, classes, n)
    x = np.clip(templates[y] * 0.06 + rng.integers(0, 240, (n,) + shape), 0, 255).astype(np.uint8)
    return x, y.astype(np.int64)


def train(model, xf, y, epochs=30):
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(xf), torch.from_numpy(y)
    for _ in range(epochs):
        for i in range(0, len(xt), 64):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[i:i + 64]), yt[i:i + 64]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return int((model(xt).argmax(1) == yt).sum())


def accuracy_line(out, kind):
    for line in out.splitlines():
        if line.startswith(kind + " accuracy: "):
            frac = line.split("(")[1].split(")")[0]
            a, b = frac.split("/")
            return int(a), int(b)
    return None


def per_channel(x, mean, std):
    c = x.shape[1]
    return ((x.astype(np.float32) / 255.0 - np.array(mean, np.float32).reshape(1, c, 1, 1))
            / np.array(std, np.float32).reshape(1, c, 1, 1)).astype(np.float32)


torch.set_num_threads(1)
rng = np.random.default_rng(11)
N, K = 600, 4
with tempfile.TemporaryDirectory(prefix="keymac-datasets-") as d:
    p = lambda n: os.path.join(d, n)

    def evaluate(name, spec, model_path, want_correct, pre_args, int8=True):
        r = km("infer", "--model", model_path, "--dataset", spec, *pre_args)
        got = accuracy_line(r.stdout, "float")
        check(r.returncode == 0 and got == (want_correct, N),
              f"{name}: keymac float accuracy {got} equals PyTorch's ({want_correct}/{N}) {r.stderr.strip()}")
        check("warning" not in r.stderr, f"{name}: no at-chance warning on the right preprocessing")
        if int8:
            r = km("infer", "--model", model_path, "--dataset", spec, "--int8", "--calib", "200", *pre_args)
            g8 = accuracy_line(r.stdout, "int8")
            check(r.returncode == 0 and g8 is not None and abs(g8[0] - want_correct) <= 0.02 * N,
                  f"{name}: int8 accuracy {g8} within 2 points of float {r.stderr.strip()}")

    # 1. IDX pair, not Fashion-MNIST: 4x14x14 images (rank-4 IDX), gzip images, raw labels.
    x, y = make_data(rng, N, (4, 14, 14), K)
    idx(p("img-idx4-ubyte.gz"), x)
    idx(p("lbl-idx1-ubyte"), y)
    mean, std = [0.5, 0.4, 0.3, 0.2], [0.25, 0.3, 0.35, 0.4]
    cnn = nn.Sequential(nn.Conv2d(4, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 6 * 6, K))
    want = want_idx = train(cnn, per_channel(x, mean, std), y)
    export(cnn, (4, 14, 14), p("idx.onnx"))
    spec = f"idx:{p('img-idx4-ubyte.gz')},{p('lbl-idx1-ubyte')}"
    pre = ["--mean", ",".join(map(str, mean)), "--std", ",".join(map(str, std))]
    evaluate("idx 4x14x14", spec, p("idx.onnx"), want, pre)
    with open(p("pre.json"), "w") as f:
        f.write('{"scale": 0.00392156862745098, "mean": [0.5, 0.4, 0.3, 0.2], "std": [0.25, 0.3, 0.35, 0.4]}')
    evaluate("idx 4x14x14, --preprocess JSON", spec, p("idx.onnx"), want, ["--preprocess", p("pre.json")], int8=False)
    # Shuffled labels: the float model is at chance -> one warning line.
    idx(p("shuf-idx1-ubyte"), rng.permutation(y))
    r = km("infer", "--model", p("idx.onnx"), "--dataset", f"idx:{p('img-idx4-ubyte.gz')},{p('shuf-idx1-ubyte')}", *pre)
    warn = [l for l in r.stderr.splitlines() if "warning" in l]
    check(r.returncode == 0 and len(warn) == 1 and "at chance" in warn[0], f"at-chance warning, one line: {warn}")
    r = km("infer", "--model", p("idx.onnx"), "--dataset", spec, "--mean", "0.5,0.4")
    check(r.returncode != 0 and "--mean" in r.stderr and r.stderr.count("\n") == 1, f"2 means for 4 channels refused: {r.stderr.strip()}")

    # A package records its (scalar) normalisation: --mean/--std that contradict it are refused.
    r = km("keygen", "--array", "8x8", "--out", p("k.key"))
    r = km("lock", "--model", p("idx.onnx"), "--array", "8x8", "--key", p("k.key"), "--out", p("idx.kmpkg"),
           "--calib", "100", "--mean", "0.5", "--std", "0.5")
    check(r.returncode == 0, f"lock with --mean 0.5 --std 0.5 {r.stderr.strip()}")
    r = km("infer", "--model", p("idx.kmpkg"), "--key", p("k.key"), "--int8", "--dataset", spec, "--mean", "0.4")
    check(r.returncode == 2 and "--mean" in r.stderr and "recorded in" in r.stderr and r.stderr.count("\n") == 1,
          f"--mean contradicting the package refused in one line: {r.stderr.strip()}")
    r = km("infer", "--model", p("idx.kmpkg"), "--key", p("k.key"), "--int8", "--dataset", spec)
    check(r.returncode == 0 and "mean [0.500000]" in r.stdout and accuracy_line(r.stdout, "int8") is not None,
          f"package without --mean/--std runs with its recorded normalisation {r.stderr.strip()}")

    # `keymac lock --dataset`: calibrated on the dataset, its per-channel preprocessing recorded in the package.
    r = km("lock", "--model", p("idx.onnx"), "--array", "8x8", "--key", p("k.key"), "--out", p("idxds.kmpkg"),
           "--dataset", spec, "--calib", "200", *pre)
    check(r.returncode == 0 and b"dataset_preprocessing" in open(p("idxds.kmpkg"), "rb").read(),
          f"lock --dataset records the per-channel preprocessing {r.stderr.strip()}")
    r = km("infer", "--model", p("idxds.kmpkg"), "--key", p("k.key"), "--int8", "--dataset", spec)
    g8 = accuracy_line(r.stdout, "int8")
    check(r.returncode == 0 and g8 is not None and abs(g8[0] - want_idx) <= 0.02 * N and "mean [0.500000,0.400000,0.300000,0.200000]" in r.stdout,
          f"package from lock --dataset, no flags: recorded preprocessing used, int8 {g8} within 2 points of float {want_idx} {r.stderr.strip()}")
    r = km("infer", "--model", p("idxds.kmpkg"), "--key", p("k.key"), "--int8", "--dataset", spec, "--std", "0.25,0.3,0.35,0.5")
    check(r.returncode == 2 and "--std" in r.stderr and "recorded in" in r.stderr, f"per-channel --std contradicting the package refused: {r.stderr.strip()}")
    r = km("infer", "--model", p("idxds.kmpkg"), "--key", p("k.key"), "--int8", "--dataset", spec, *pre)
    check(r.returncode == 0, f"flags that repeat the recorded preprocessing are accepted {r.stderr.strip()}")
    r = km("run", "--model", p("idxds.kmpkg"), "--key", p("k.key"), "--limit", "10", "--no-progress")
    check(r.returncode == 1 and "--dataset" in r.stderr and r.stderr.count("\n") == 1,
          f"keymac run refuses a package locked on a dataset (it would evaluate Fashion-MNIST): {r.stderr.strip()}")

    # 2. .npz of float features [N, 784] (savez_compressed), keys x / y.
    xf, y2 = make_data(rng, N, (784,), K)
    feats = (xf.astype(np.float32) - 100.0) / 50.0
    np.savez_compressed(p("feat.npz"), x=feats, y=y2)
    mlp = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, K))
    want = train(mlp, feats, y2)
    export(mlp, (784,), p("npz.onnx"))
    evaluate("npz [784] float features", f"npz:{p('feat.npz')}", p("npz.onnx"), want, [])

    # 3. .npy pair: uint8 images 16x7x7, int32 labels; one mean/std for every channel.
    x3, y3 = make_data(rng, N, (16, 7, 7), K)
    np.save(p("x3.npy"), x3)
    np.save(p("y3.npy"), y3.astype(np.int32))
    cnn3 = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 49, K))
    want = train(cnn3, per_channel(x3, [0.5] * 16, [0.5] * 16), y3)
    export(cnn3, (16, 7, 7), p("npy.onnx"))
    evaluate("npy pair 16x7x7", f"npy:{p('x3.npy')},{p('y3.npy')}", p("npy.onnx"), want, ["--mean", "0.5", "--std", "0.5"])

    # 4. CIFAR-10 binary batches (two files), 3x32x32.
    x4, y4 = make_data(rng, N, (3, 32, 32), K)
    for i, part in enumerate([slice(0, N // 2), slice(N // 2, N)]):
        recs = np.concatenate([y4[part, None].astype(np.uint8), x4[part].reshape(-1, 3072)], axis=1)
        open(p(f"data_batch_{i + 1}.bin"), "wb").write(recs.tobytes())
    cnn4 = nn.Sequential(nn.Conv2d(3, 4, 5, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 14 * 14, K))
    want = train(cnn4, per_channel(x4, [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]), y4, epochs=15)
    export(cnn4, (3, 32, 32), p("cifar.onnx"))
    spec = f"cifar10:{p('data_batch_1.bin')},{p('data_batch_2.bin')}"
    r = km("infer", "--model", p("cifar.onnx"), "--dataset", spec, "--mean", "0.49,0.48,0.45", "--std", "0.25,0.24,0.26")
    if r.returncode != 0 and "keymac feeds 28x28 images" in r.stderr:
        skipped.append("cifar10 3x32x32: " + r.stderr.strip())
        print("SKIP cifar10 3x32x32 end to end: today's importer refuses the input:", r.stderr.strip())
    else:
        evaluate("cifar10 3x32x32", spec, p("cifar.onnx"), want, ["--mean", "0.49,0.48,0.45", "--std", "0.25,0.24,0.26"])
    # The CIFAR reader itself: a file that is not whole records is refused in one line.
    open(p("bad.bin"), "wb").write(b"\0" * 3074)
    r = km("infer", "--model", p("cifar.onnx"), "--dataset", f"cifar10:{p('bad.bin')}")
    check(r.returncode == 1 and "bad.bin" in r.stderr and "records" in r.stderr, f"bad CIFAR file refused: {r.stderr.strip()}")

print(f"{len(failures)} failure(s), {len(skipped)} skipped part(s)")
sys.exit(1 if failures else (77 if skipped else 0))
