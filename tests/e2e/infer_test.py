#!/usr/bin/python3
"""`keymac infer` end to end, against PyTorch and against keymac's own int8 reference.

- float: models this test builds with Debian's PyTorch (an MLP on [N,784], a CNN
  on [N,1,28,28], a residual conv-BN block on [N,3,16,16]) run on random inputs; keymac's outputs equal PyTorch's within
  1e-4 relative (1e-5 absolute), for .npy and ONNX TensorProto .pb in and out.
- int8 on the array: an ONNX model locked with a key and run with that key is
  bit-identical to the same model run unlocked (the int8 reference, --int8
  without --key); a package from `keymac lock` with its key gives the
  int8 reference of `keymac lock`'s quantization and wrong keys differ; int8
  scores track the float ones.
- one-line refusals: wrong input shape, package without --int8/--key, --key
  or --backend in float mode, a missing file, a bad --out extension.
- the conformance runner itself: a node test of its format that keymac runs
  passes, the same test with a wrong expected output fails the run, and a
  refusal of a listed operator is a skip.
Env: KEYMAC (binary), KEYMAC_SRC (source tree).
"""
import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

from e2e_util import KEYMAC, check, export, failures, km  # noqa: F401
SRC = os.environ["KEYMAC_SRC"]


def load_pb(path):
    t = onnx.TensorProto()
    t.ParseFromString(open(path, "rb").read())
    return numpy_helper.to_array(t)


torch.manual_seed(3)
mlp = nn.Sequential(nn.Linear(784, 48), nn.ReLU(), nn.Linear(48, 10))
cnn = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 8, 3, stride=2),
                    nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))


class Residual(nn.Module):
    """conv-BN-ReLU with an identity shortcut, on a 3x16x16 input (not 784 elements)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 5))
        with torch.no_grad():  # non-trivial running statistics
            self.bn.running_mean.uniform_(-0.5, 0.5)
            self.bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        return self.head(torch.relu(self.bn(self.conv(x))) + x)


res = Residual()
rng = np.random.default_rng(5)

with tempfile.TemporaryDirectory(prefix="keymac-infer-") as d:
    p = lambda n: os.path.join(d, n)
    for name, model, shape in [("mlp", mlp, (784,)), ("cnn", cnn, (1, 28, 28)), ("res", res, (3, 16, 16))]:
        model.eval()
        export(model, shape, p(name + ".onnx"))
        x = rng.random((7,) + shape, dtype=np.float32)
        with torch.no_grad():
            want = model(torch.from_numpy(x)).numpy()
        np.save(p(name + "_x.npy"), x)
        r = km("infer", "--model", p(name + ".onnx"), "--input", p(name + "_x.npy"), "--out", p(name + "_y.npy"))
        got = np.load(p(name + "_y.npy")) if r.returncode == 0 else None
        check(r.returncode == 0 and got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5),
              f"{name}: float outputs (.npy) equal PyTorch's within 1e-4 relative {r.stderr.strip()}")
        open(p(name + "_x.pb"), "wb").write(numpy_helper.from_array(x, "input").SerializeToString())
        r = km("infer", "--model", p(name + ".onnx"), "--input", p(name + "_x.pb"), "--out", p(name + "_y.pb"))
        got = load_pb(p(name + "_y.pb")) if r.returncode == 0 else None
        check(r.returncode == 0 and np.allclose(got, want, rtol=1e-4, atol=1e-5), f"{name}: float outputs (.pb) equal PyTorch's")

    # int8: keyed run with the right key == unlocked int8 reference, bit for bit.
    check(km("keygen", "--array", "16x16", "--out", p("k.key")).returncode == 0, "keygen")
    check(km("keygen", "--array", "16x16", "--out", p("w.key")).returncode == 0, "keygen (wrong key)")
    for name in ["mlp", "cnn", "res"]:
        base = ["infer", "--model", p(name + ".onnx"), "--input", p(name + "_x.npy"), "--int8"]
        r0 = km(*base, "--out", p(name + "_ref.npy"))
        r1 = km(*base, "--key", p("k.key"), "--out", p(name + "_key.npy"))
        ok = r0.returncode == 0 and r1.returncode == 0
        ref = np.load(p(name + "_ref.npy")) if ok else None
        keyed = np.load(p(name + "_key.npy")) if ok else None
        check(ok and np.array_equal(ref, keyed), f"{name}: int8 with the right key is bit-identical to the int8 reference "
              f"{r0.stderr.strip()} {r1.stderr.strip()}")
        flt = np.load(p(name + "_y.npy"))
        err = np.max(np.abs(ref - flt)) / np.max(np.abs(flt)) if ok else 1
        check(ok and err < 0.1, f"{name}: int8 scores within 10% of the float range of the float scores (max err {err:.3f})")
        if name == "mlp":
            r = km(*base, "--key", p("k.key"), "--backend", "systemc", "--out", p("sc.npy"))
            check(r.returncode == 0 and np.array_equal(np.load(p("sc.npy")), keyed),
                  f"mlp: int8 on the systemc backend equals the functional backend {r.stderr.strip()}")

    # A package from `keymac lock`: right key = its int8 reference; a wrong key differs.
    imgs = np.frombuffer(gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16)
    fx = (imgs[:64 * 784].reshape(64, 1, 28, 28).astype(np.float32) / 255.0)
    np.save(p("fx.npy"), fx)
    r = km("lock", "--model", p("cnn.onnx"), "--array", "16x16", "--key", p("k.key"), "--out", p("cnn.kmpkg"), "--calib", "200")
    check(r.returncode == 0, f"lock the cnn {r.stderr.strip()}")
    rk = km("infer", "--model", p("cnn.kmpkg"), "--key", p("k.key"), "--int8", "--input", p("fx.npy"), "--out", p("pk.npy"))
    rw = km("infer", "--model", p("cnn.kmpkg"), "--key", p("w.key"), "--int8", "--input", p("fx.npy"), "--out", p("pw.npy"))
    rf = km("infer", "--model", p("cnn.onnx"), "--input", p("fx.npy"), "--out", p("pf.npy"))
    ok = rk.returncode == 0 and rw.returncode == 0 and rf.returncode == 0
    if ok:
        pk, pw, pf = np.load(p("pk.npy")), np.load(p("pw.npy")), np.load(p("pf.npy"))
        agree = np.mean(pk.argmax(1) == pf.argmax(1))
        check(agree >= 0.9, f"package, right key: int8 predictions agree with float on {agree:.0%} of 64 images")
        check(not np.array_equal(pk, pw), "package, wrong key: outputs differ from the right key's")
    else:
        check(False, f"package runs: {rk.stderr.strip()} {rw.stderr.strip()} {rf.stderr.strip()}")
    check(not any(open(p("k.key")).read().strip() in (r.stdout + r.stderr) for r in [rk, rw]), "no key text in infer's output")

    # One-line refusals.
    np.save(p("bad_shape.npy"), np.zeros((2, 783), np.float32))
    cases = [
        (["--model", p("mlp.onnx"), "--input", p("bad_shape.npy"), "--out", p("o.npy")], 1, "bad_shape.npy"),
        (["--model", p("cnn.kmpkg"), "--input", p("fx.npy"), "--out", p("o.npy")], 2, "--int8"),
        (["--model", p("cnn.kmpkg"), "--int8", "--input", p("fx.npy"), "--out", p("o.npy")], 1, "--key"),
        (["--model", p("mlp.onnx"), "--key", p("k.key"), "--input", p("mlp_x.npy"), "--out", p("o.npy")], 2, "--key"),
        (["--model", p("mlp.onnx"), "--backend", "systemc", "--input", p("mlp_x.npy"), "--out", p("o.npy")], 2, "--backend"),
        (["--model", p("mlp.onnx"), "--input", p("nosuch.npy"), "--out", p("o.npy")], 1, "nosuch.npy"),
        (["--model", p("mlp.onnx"), "--input", p("mlp_x.npy"), "--out", p("o.txt")], 2, "o.txt"),
        (["--model", p("mlp.onnx"), "--input", p("mlp_x.npy"), "--input", p("mlp_x.npy"), "--out", p("o.npy")], 1, "input"),
    ]
    for args, code, needle in cases:
        r = km("infer", *args)
        err = r.stderr.strip()
        check(r.returncode == code and err.startswith("keymac: ") and "\n" not in err and needle in err,
              f"refused with exit {code}, one line naming {needle}: {err}")

    # The conformance runner on node tests of its own format.
    node = os.path.join(d, "node")
    w = rng.standard_normal((784, 5)).astype(np.float32)
    xin = rng.standard_normal((3, 784)).astype(np.float32)

    def node_test(name, op, expected, extra_nodes=()):
        td = os.path.join(node, name, "test_data_set_0")
        os.makedirs(td)
        g = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"), *extra_nodes,
             helper.make_node(op, ["h"], ["y"], name="act")], name,
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [3, 784]),
             helper.make_tensor_value_info("w", onnx.TensorProto.FLOAT, [784, 5])],
            [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [3, 5])])
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(node, name, "model.onnx"))
        for i, a in enumerate([xin, w]):
            open(os.path.join(td, f"input_{i}.pb"), "wb").write(numpy_helper.from_array(a).SerializeToString())
        open(os.path.join(td, "output_0.pb"), "wb").write(numpy_helper.from_array(expected).SerializeToString())

    relu = np.maximum(xin @ w, 0).astype(np.float32)
    node_test("test_mm_relu", "Relu", relu)
    node_test("test_mm_hardmax", "Hardmax", relu)  # refused: Hardmax is listed unsupported
    runner = [sys.executable, os.path.join(SRC, "tests/conformance/run_onnx_conformance.py"), "--keymac", KEYMAC,
              "--docs", os.path.join(SRC, "docs/CONFORMANCE.md"), "--data", node]
    r = subprocess.run(runner, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "1 passed, 1 skipped" in r.stdout and "0 failed" in r.stdout,
          f"conformance runner: a correct test passes, a listed-unsupported op skips: {r.stdout.strip().splitlines()[-1:]}")
    node_test("test_mm_relu_wrong", "Relu", relu * 1.01)
    r = subprocess.run(runner, capture_output=True, text=True, timeout=120)
    check(r.returncode == 1 and "FAIL  test_mm_relu_wrong: outputs differ" in r.stdout,
          "conformance runner: outputs off by 1% fail the run")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
