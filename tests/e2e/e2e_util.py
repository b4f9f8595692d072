"""What keymac's Python end-to-end tests share (datasets_test.py, infer_test.py,
run_dataset_test.py): the keymac binary from $KEYMAC, one check() that prints
and records each result, ONNX export of a PyTorch model with a batch axis, and
an IDX file writer (gzip when the name ends in .gz)."""
import gzip
import os
import struct
import subprocess

import numpy as np

KEYMAC = os.environ["KEYMAC"]
results = {"passed": 0, "failed": []}
failures = results["failed"]


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if cond:
        results["passed"] += 1
    else:
        failures.append(what)


def km(*args, timeout=300):
    return subprocess.run([KEYMAC, *args], capture_output=True, text=True, timeout=timeout)


def export(model, shape, path):
    import torch
    torch.onnx.export(model, torch.zeros((1,) + shape), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def idx(path, arr):
    head = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    data = head + arr.astype(np.uint8).tobytes()
    (gzip.open if path.endswith(".gz") else open)(path, "wb").write(data)
