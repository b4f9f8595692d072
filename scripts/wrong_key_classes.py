#!/usr/bin/env python3
"""What a wrong master key does to a locked MLP (docs/KEYEXP.md, "Strength").

For every master key one bit away from the right one (80 keys) and for N
unrelated random master keys, the package is re-issued for that key with
`keymac relock` (to an all-zero periodic key, so the plain float export runs
exactly the weights the array would see with the wrong key), exported with
`keymac export`, and run in float (numpy) on the Fashion-MNIST test set.
Reports per key the accuracy, the share of the test images predicted as the
most and the two most frequent classes, and the number of classes predicted.
The float export does not emulate int8 saturation, so accuracies differ from
`keymac run`'s by a little; the class histograms are what this is for.
MLP packages only (Gemm/Relu graphs).

usage: wrong_key_classes.py --keymac build/keymac --package mlp.kmpkg --key MK.key [--random 80] [--seed 1] --out r.json
"""
import argparse, gzip, json, os, random, subprocess, sys, tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def read_master_hex(path):
    for line in open(path):
        f = line.split()
        if len(f) == 2 and f[0] == "key":
            return bytearray.fromhex(f[1])
    sys.exit(f"{path}: no 'key <hex>' line (not a master key file)")


def write_master(path, key_bytes):
    with open(path, "w") as f:
        f.write("# keymac master key v1: 80-bit Trivium key, bytes 0..9 in hex (eSTREAM order; key bit i = bit i%8 of byte i/8)\n")
        f.write(f"mode expanded\ncipher trivium\nkey {key_bytes.hex()}\n")
    os.chmod(path, 0o600)


def load_test(data_dir):
    with gzip.open(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    with gzip.open(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return x, y


def predict(onnx_path, x):
    m = onnx.load(onnx_path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    vals = {m.graph.input[0].name: x}
    for n in m.graph.node:
        if n.op_type == "Gemm":
            a, w, b = vals[n.input[0]], init[n.input[1]], init[n.input[2]]
            tb = any(at.name == "transB" and at.i == 1 for at in n.attribute)
            vals[n.output[0]] = a @ (w.T if tb else w) + b
        elif n.op_type == "Relu":
            vals[n.output[0]] = np.maximum(vals[n.input[0]], 0)
        else:
            sys.exit(f"{onnx_path}: op {n.op_type} not supported (MLP packages only)")
    return np.argmax(vals[m.graph.output[0].name], axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keymac", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--random", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--array", default="16x16")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    right = read_master_hex(a.key)
    x, y = load_test(a.data_dir)
    rows, cols = (int(v) for v in a.array.split("x"))
    rng = random.Random(a.seed)
    keys = []
    for bit in range(80):
        k = bytearray(right)
        k[bit // 8] ^= 1 << (bit % 8)
        keys.append(("distance1", k))
    for _ in range(a.random):
        keys.append(("random", bytearray(rng.getrandbits(8) for _ in range(10))))
    out = []
    with tempfile.TemporaryDirectory() as td:
        zero = os.path.join(td, "zero.key")
        with open(zero, "w") as f:  # the plain array: an all-zero periodic key
            f.write(f"# keymac key v1\narray {a.array}\n" + ("0" * ((cols + 3) // 4) + "\n") * rows)
        os.chmod(zero, 0o600)
        for kind, k in keys:
            wk, pkg, onx = (os.path.join(td, n) for n in ("w.key", "w.kmpkg", "w.onnx"))
            write_master(wk, k)
            subprocess.run([a.keymac, "relock", "--model", a.package, "--from", wk, "--to", zero, "--out", pkg],
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run([a.keymac, "export", "--model", pkg, "--out", onx], check=True, stdout=subprocess.DEVNULL)
            p = predict(onx, x)
            counts = np.sort(np.bincount(p, minlength=10))[::-1]
            out.append({"kind": kind, "accuracy": float(100.0 * np.mean(p == y)),
                        "top1_share": float(100.0 * counts[0] / len(p)), "top2_share": float(100.0 * counts[:2].sum() / len(p)),
                        "classes_predicted": int(np.count_nonzero(counts))})
    json.dump(out, open(a.out, "w"), indent=1)
    for kind in ("distance1", "random"):
        r = [o for o in out if o["kind"] == kind]
        if not r:
            continue
        acc = np.array([o["accuracy"] for o in r])
        print(f"{kind}: {len(r)} keys, accuracy mean {acc.mean():.2f} sd {acc.std():.2f} max {acc.max():.2f}, above 15 %: {(acc > 15).sum()}, "
              f"top-2 classes take {np.mean([o['top2_share'] for o in r]):.1f} % of predictions on average")


if __name__ == "__main__":
    main()
