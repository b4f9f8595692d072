#!/usr/bin/python3
"""`keymac run --dataset`: the lock report on datasets other than Fashion-MNIST.

The test writes three labelled datasets, each as a training file and a test
file: an IDX pair of 3x20x20 images (gzip, rank-4 IDX; not Fashion-MNIST), a
CIFAR-10 binary batch pair (3x32x32) and an .npz of 12x12 float images. Each
is drawn from class templates plus noise; a small PyTorch model is trained on
the training file (seeded, CPU) and exported to ONNX. Then
  keymac run --model M.onnx --dataset TEST --calib-dataset TRAIN ...
must print the report lines (dataset, float model, int8 reference, right key,
wrong keys, plain array) and its JSON must show
  - float accuracy = PyTorch's on the same test samples, exactly;
  - right key = int8 reference: every prediction identical, scores bit-identical;
  - int8 reference within 2 points of float;
  - every wrong key and the plain array below the right key (the model learned
    something: well above chance), the wrong-key mean at least 10 points below.
The IDX model also goes through `keymac lock --dataset` (per-channel mean/std
recorded in the package) and `keymac run --model P.kmpkg --key K --dataset`:
the recorded preprocessing is used, flags that contradict it are refused
(exit 2, one line), and without --dataset the package is refused (it would
evaluate Fashion-MNIST). Env: KEYMAC (binary). Ends with "N passed, N failed".
"""
import functools
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import torch
import torch.nn as nn

warnings.filterwarnings("ignore")  # torch.onnx.export's tracer notes

import e2e_util  # noqa: E402
from e2e_util import check, export, idx, results  # noqa: E402

km = functools.partial(e2e_util.km, timeout=600)

N_TRAIN, N_TEST, K = 1200, 500, 6


def make_templates(rng, shape, spread=26):
    """K class templates: a common random image plus a small class-specific offset
    (about 80-95 % test accuracy after training: a task with errors to get right)."""
    return rng.uniform(60, 195, (1,) + shape) + rng.uniform(-spread, spread, (K,) + shape)


def make_data(rng, templates, n, noise):
    y = rng.integers(0, len(templates), n)
    x = np.clip(templates[y] + rng.normal(0, noise, (n,) + templates.shape[1:]), 0, 255)
    return x, y.astype(np.int64)


def train(model, x, y, steps=300):
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)
    for _ in range(steps):
        i = torch.randint(0, len(xt), (32,), generator=g)
        opt.zero_grad()
        nn.functional.cross_entropy(model(xt[i]), yt[i]).backward()
        opt.step()
    model.eval()


def pytorch_correct(model, x, y):
    with torch.no_grad():
        return int((model(torch.from_numpy(x)).argmax(1) == torch.from_numpy(y)).sum())


def keymac_pre(x_raw, scale, mean, std):
    """keymac's preprocessing, as docs/DATASETS.md states it: float((v * scale - mean[c]) / std[c]) in double."""
    c = x_raw.shape[1]
    m = np.array(mean, np.float64).reshape(1, c, 1, 1)
    s = np.array(std, np.float64).reshape(1, c, 1, 1)
    return ((x_raw.astype(np.float64) * scale - m) / s).astype(np.float32)


REPORT_LINES = ["dataset ", "float model", "int8 reference: unlocked model, plain array", "locked model, keyed array, right key",
                "wrong keys (mean)", "locked model, plain array"]


def check_report(name, r, json_path, want_float, n, onnx=True):
    ok = r.returncode == 0
    check(ok, f"{name}: keymac run exits 0 {r.stderr.strip()[-300:] if not ok else ''}")
    if not ok:
        return None
    missing = [l for l in REPORT_LINES if l not in r.stdout]
    check(not missing, f"{name}: report shows the dataset, float, int8 reference, right key, wrong keys, plain array {missing}")
    rep = json.load(open(json_path))
    acc = rep["accuracy"]
    wk = acc["wrong_key"]
    print(f"     {name}: float {acc['float']}, reference {acc['reference']:.2f}, right key {acc['correct_key']:.2f}, "
          f"wrong keys mean {wk['mean']:.2f} (min {wk['min']:.2f}, max {wk['max']:.2f}), plain array {acc['plain_array']:.2f}, "
          f"{rep['images']} images", flush=True)
    check(rep["images"] == n and "dataset" in rep, f"{name}: {n} test samples evaluated, dataset recorded")
    if onnx:
        check(acc["float"] is not None and round(acc["float"] * n / 100) == want_float,
              f"{name}: keymac float accuracy {acc['float']} % equals PyTorch's {want_float}/{n}")
        check(abs(acc["reference"] - acc["float"]) <= 2.0, f"{name}: int8 reference {acc['reference']:.2f} % within 2 points of float")
    rk = rep["right_key_vs_reference"]
    check(acc["correct_key"] == acc["reference"] and rk["identical_predictions"] == n and rk["scores_bit_identical"],
          f"{name}: right key = int8 reference (predictions {rk['identical_predictions']}/{n}, scores bit-identical)")
    learned = acc["correct_key"] > 2 * 100.0 / K
    check(learned, f"{name}: the model learned something (right key {acc['correct_key']:.2f} % > twice chance)")
    check(wk["n"] == 5 and wk["max"] < acc["correct_key"] and wk["mean"] <= acc["correct_key"] - 10,
          f"{name}: every wrong key below the right key, mean at least 10 points below")
    check(acc["plain_array"] < acc["correct_key"], f"{name}: plain array below the right key")
    return rep


torch.set_num_threads(1)
torch.manual_seed(12)  # the first model's initial weights
rng = np.random.default_rng(12)
common = ["--wrong-keys", "5", "--array", "8x8", "--no-progress", "--threads", "2"]
with tempfile.TemporaryDirectory(prefix="keymac-run-dataset-") as d:
    p = lambda n: os.path.join(d, n)

    # 1. IDX pair (not Fashion-MNIST): 3x20x20 uint8 images, per-channel mean/std.
    tmpl = make_templates(rng, (3, 20, 20))
    xtr, ytr = make_data(rng, tmpl, N_TRAIN, 70)
    xte, yte = make_data(rng, tmpl, N_TEST, 70)
    for split, x, y in (("train", xtr, ytr), ("test", xte, yte)):
        idx(p(f"{split}-images-idx4-ubyte.gz"), x)
        idx(p(f"{split}-labels-idx1-ubyte"), y)
    mean, std = [0.5, 0.45, 0.4], [0.3, 0.25, 0.2]
    cnn = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 9 * 9, K))
    train(cnn, keymac_pre(xtr.astype(np.uint8), 1 / 255, mean, std), ytr)
    want = pytorch_correct(cnn, keymac_pre(xte.astype(np.uint8), 1 / 255, mean, std), yte)
    export(cnn, (3, 20, 20), p("idx.onnx"))
    train_spec = f"idx:{p('train-images-idx4-ubyte.gz')},{p('train-labels-idx1-ubyte')}"
    test_spec = f"idx:{p('test-images-idx4-ubyte.gz')},{p('test-labels-idx1-ubyte')}"
    with open(p("pre.json"), "w") as f:
        json.dump({"mean": mean, "std": std}, f)
    r = km("run", "--model", p("idx.onnx"), "--dataset", test_spec, "--calib-dataset", train_spec, "--calib", "500",
           "--preprocess", p("pre.json"), "--json", p("idx.json"), *common)
    check_report("idx 3x20x20", r, p("idx.json"), want, N_TEST)

    # The same model locked on the training set (per-channel preprocessing recorded), run from the package.
    km("keygen", "--array", "8x8", "--out", p("k.key"))
    r = km("lock", "--model", p("idx.onnx"), "--array", "8x8", "--key", p("k.key"), "--out", p("idx.kmpkg"),
           "--dataset", train_spec, "--calib", "500", "--mean", ",".join(map(str, mean)), "--std", ",".join(map(str, std)))
    check(r.returncode == 0, f"lock --dataset records the per-channel preprocessing {r.stderr.strip()}")
    r = km("run", "--model", p("idx.kmpkg"), "--key", p("k.key"), "--dataset", test_spec, "--json", p("pkg.json"), *common[:2],
           "--no-progress")
    rep = check_report("idx package (lock --dataset, run --dataset)", r, p("pkg.json"), want, N_TEST, onnx=False)
    if rep:
        check("mean [0.500000,0.450000,0.400000]" in rep["dataset"], f"package run uses the recorded per-channel mean: {rep['dataset']}")
        check(abs(rep["accuracy"]["correct_key"] - 100.0 * want / N_TEST) <= 2.0,
              f"package right key {rep['accuracy']['correct_key']:.2f} % within 2 points of PyTorch's float {100.0 * want / N_TEST:.2f} %")
    r = km("run", "--model", p("idx.kmpkg"), "--key", p("k.key"), "--dataset", test_spec, "--mean", "0.5", "--no-progress")
    check(r.returncode == 2 and "recorded in" in r.stderr and r.stderr.count("\n") == 1,
          f"--mean contradicting the package refused in one line: {r.stderr.strip()}")
    r = km("run", "--model", p("idx.kmpkg"), "--key", p("k.key"), "--limit", "10", "--no-progress")
    check(r.returncode == 1 and "--dataset" in r.stderr and r.stderr.count("\n") == 1,
          f"package locked on a dataset, run without --dataset: refused in one line: {r.stderr.strip()}")
    # Shuffled labels: the float model is at chance -> one warning line (it usually means wrong preprocessing).
    idx(p("shuf-labels-idx1-ubyte"), np.random.default_rng(1).permutation(yte))
    r = km("run", "--model", p("idx.onnx"), "--dataset", f"idx:{p('test-images-idx4-ubyte.gz')},{p('shuf-labels-idx1-ubyte')}",
           "--calib-dataset", train_spec, "--preprocess", p("pre.json"), "--wrong-keys", "0", "--array", "8x8", "--no-progress")
    warn = [l for l in r.stderr.splitlines() if "warning" in l]
    check(r.returncode == 0 and len(warn) == 1 and "at chance" in warn[0], f"at-chance warning, one line: {warn}")
    r = km("run", "--model", p("idx.onnx"), "--dataset", test_spec, "--data-dir", d, "--no-progress")
    check(r.returncode == 2 and "--data-dir" in r.stderr, f"--data-dir with --dataset refused: {r.stderr.strip()}")

    # 2. CIFAR-10 binary batches: 3x32x32, CIFAR's usual per-channel normalisation.
    tmpl = make_templates(rng, (3, 32, 32))
    xtr, ytr = make_data(rng, tmpl, N_TRAIN, 80)
    xte, yte = make_data(rng, tmpl, N_TEST, 80)
    for name, x, y in (("data_batch_1.bin", xtr, ytr), ("test_batch.bin", xte, yte)):
        recs = np.concatenate([y[:, None].astype(np.uint8), x.astype(np.uint8).reshape(-1, 3072)], axis=1)
        open(p(name), "wb").write(recs.tobytes())
    cmean, cstd = [0.4914, 0.4822, 0.4465], [0.247, 0.243, 0.261]
    cnn = nn.Sequential(nn.Conv2d(3, 6, 5, stride=2), nn.ReLU(), nn.Conv2d(6, 8, 3, stride=2), nn.ReLU(), nn.Flatten(),
                        nn.Linear(8 * 6 * 6, K))
    train(cnn, keymac_pre(xtr.astype(np.uint8), 1 / 255, cmean, cstd), ytr)
    want = pytorch_correct(cnn, keymac_pre(xte.astype(np.uint8), 1 / 255, cmean, cstd), yte)
    export(cnn, (3, 32, 32), p("cifar.onnx"))
    with open(p("cifar.json.pre"), "w") as f:
        json.dump({"scale": 1 / 255, "mean": cmean, "std": cstd}, f)
    r = km("run", "--model", p("cifar.onnx"), "--dataset", f"cifar10:{p('test_batch.bin')}", "--calib-dataset",
           f"cifar10:{p('data_batch_1.bin')}", "--calib", "500", "--preprocess", p("cifar.json.pre"), "--json", p("cifar.json"), *common)
    check_report("cifar10 3x32x32", r, p("cifar.json"), want, N_TEST)

    # 3. .npz of float images [N,12,12] (keymac reads them as [1,12,12]); scalar --mean/--std.
    tmpl = make_templates(rng, (1, 12, 12))
    xtr, ytr = make_data(rng, tmpl, N_TRAIN, 70)
    xte, yte = make_data(rng, tmpl, N_TEST, 70)
    np.savez_compressed(p("train.npz"), x=(xtr[:, 0] / 255).astype(np.float32), y=ytr)
    np.savez(p("test.npz"), images=(xte[:, 0] / 255).astype(np.float32), labels=yte.astype(np.int32))
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(144, 32), nn.ReLU(), nn.Linear(32, K))
    pre = lambda x: keymac_pre((x / 255).astype(np.float32), 1.0, [0.5], [0.25])
    train(mlp, pre(xtr), ytr)
    want = pytorch_correct(mlp, pre(xte), yte)
    export(mlp, (1, 12, 12), p("npz.onnx"))
    r = km("run", "--model", p("npz.onnx"), "--dataset", f"npz:{p('test.npz')}", "--calib-dataset", f"npz:{p('train.npz')}",
           "--calib", "500", "--mean", "0.5", "--std", "0.25", "--json", p("npz.json"), *common)
    check_report("npz 12x12 float", r, p("npz.json"), want, N_TEST)

print(f"{results['passed']} passed, {len(results['failed'])} failed")
sys.exit(1 if results["failed"] else 0)
