#!/usr/bin/python3
"""keymac's tensor-file readers and writers against NumPy's and ONNX's own.

Each case writes a file with NumPy (np.save / np.savez / np.savez_compressed)
or ONNX (onnx.numpy_helper.from_array), has keymac_tensor_tool read it with
keymac's reader and write it back with keymac's writer, and reads the result
with NumPy / ONNX again: the values, shape and type must come back unchanged.
Hostile files must be refused with one line naming the file.
Env: TENSOR_TOOL (the keymac_tensor_tool binary).
"""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

TOOL = os.environ["TENSOR_TOOL"]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def tool(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60)


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=False)


rng = np.random.default_rng(7)
arrays = {
    "f32_4d": rng.standard_normal((2, 3, 4, 5)).astype(np.float32),
    "f64_2d": rng.standard_normal((3, 7)),
    "f16_1d": rng.standard_normal(9).astype(np.float16),
    "u8_img": rng.integers(0, 256, (4, 3, 32, 32), dtype=np.uint8),
    "i8": rng.integers(-128, 128, (5, 6), dtype=np.int8),
    "i16": rng.integers(-30000, 30000, (6,), dtype=np.int16),
    "u16": rng.integers(0, 65535, (2, 2), dtype=np.uint16),
    "i32": rng.integers(-2**31, 2**31 - 1, (3, 3), dtype=np.int32),
    "i64_labels": rng.integers(0, 100, (11,), dtype=np.int64),
    "bool": rng.integers(0, 2, (4,)).astype(bool),
    "scalar": np.array(3.5, dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}

with tempfile.TemporaryDirectory() as d:
    p = lambda n: os.path.join(d, n)
    for name, a in arrays.items():
        # .npy -> keymac -> .npy and .pb
        np.save(p(name + ".npy"), a)
        r = tool(p(name + ".npy"), p(name + ".out.npy"))
        check(r.returncode == 0 and same(np.load(p(name + ".out.npy")), a), f"npy round trip keeps {name} {a.dtype} {a.shape}")
        r = tool(p(name + ".npy"), p(name + ".out.pb"))
        t = onnx.TensorProto()
        ok = r.returncode == 0
        if ok:
            t.ParseFromString(open(p(name + ".out.pb"), "rb").read())
        check(ok and same(numpy_helper.to_array(t), a), f"npy -> TensorProto keeps {name}")
        # ONNX's own TensorProto (typed fields and raw_data) -> keymac -> .npy
        t = numpy_helper.from_array(a, name)
        open(p(name + ".pb"), "wb").write(t.SerializeToString())
        r = tool(p(name + ".pb"), p(name + ".pb.npy"))
        check(r.returncode == 0 and same(np.load(p(name + ".pb.npy")), a), f"TensorProto (raw_data) read keeps {name}")
    # TensorProto with typed repeated fields instead of raw_data.
    for name, a, field in [("typed_f32", arrays["f32_4d"], "float_data"), ("typed_i64", arrays["i64_labels"], "int64_data"),
                           ("typed_f64", arrays["f64_2d"], "double_data"), ("typed_i8", arrays["i8"], "int32_data")]:
        t = onnx.helper.make_tensor(name, onnx.helper.np_dtype_to_tensor_dtype(a.dtype) if hasattr(onnx.helper, "np_dtype_to_tensor_dtype")
                                    else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape, a.flatten().tolist(), raw=False)
        open(p(name + ".pb"), "wb").write(t.SerializeToString())
        r = tool(p(name + ".pb"), p(name + ".npy"))
        check(r.returncode == 0 and same(np.load(p(name + ".npy")), a), f"TensorProto typed field {field} read exactly")
    # Big-endian and format version 2.0 .npy.
    be = arrays["f32_4d"].astype(">f4")
    np.save(p("be.npy"), be)
    r = tool(p("be.npy"), p("be.out.npy"))
    check(r.returncode == 0 and np.array_equal(np.load(p("be.out.npy")), be.astype("<f4")), "big-endian .npy read by value")
    with open(p("v2.npy"), "wb") as f:
        np.lib.format.write_array(f, arrays["i32"], version=(2, 0))
    r = tool(p("v2.npy"), p("v2.out.npy"))
    check(r.returncode == 0 and same(np.load(p("v2.out.npy")), arrays["i32"]), ".npy format 2.0 read")
    # .npz, stored and deflated.
    np.savez(p("s.npz"), x=arrays["u8_img"], y=arrays["i64_labels"])
    np.savez_compressed(p("c.npz"), images=arrays["f32_4d"], labels=arrays["i16"])
    for f, m, a in [("s.npz", "x", "u8_img"), ("s.npz", "y", "i64_labels"), ("c.npz", "images", "f32_4d"), ("c.npz", "labels", "i16")]:
        r = tool(p(f), m, p(f + m + ".npy"))
        check(r.returncode == 0 and same(np.load(p(f + m + ".npy")), arrays[a]), f".npz member {m} of {f} read exactly")

    # Hostile or unsupported files: exit 1, one line naming the file.
    good = open(p("f32_4d.npy"), "rb").read()
    hdr_end = good.index(b"\n") + 1
    cz = open(p("c.npz"), "rb").read()
    negdim = onnx.TensorProto(name="n", data_type=onnx.TensorProto.FLOAT, dims=[-1, 2])
    bad = {
        "truncated.npy": good[:-5],
        "longer.npy": good + b"\0\0\0\0",
        "nomagic.npy": b"NUMPY" + good[6:],
        "fortran.npy": good.replace(b"'fortran_order': False", b"'fortran_order': True "),
        "object.npy": good.replace(b"'<f4'", b"'|O8'"),
        "huge.npy": good[:hdr_end].replace(b"(2, 3, 4, 5)", b"(99999, 99999, 99999, 9)") ,
        "overflow.npy": good[:hdr_end].replace(b"(2, 3, 4, 5)", b"(9223372036854775807, 9)"),
        "hdrlen.npy": good[:8] + struct.pack("<H", 65535) + good[10:200],
        "garbage.pb": b"\xff\xff\xff\xff\x0f\x0f",
        "short_raw.pb": numpy_helper.from_array(arrays["f32_4d"]).SerializeToString()[:-40],
        "negdim.pb": negdim.SerializeToString(),
        "string.pb": onnx.helper.make_tensor("s", onnx.TensorProto.STRING, [1], [b"a"]).SerializeToString(),
        "crc.npz": cz[:60] + bytes([cz[60] ^ 0xff]) + cz[61:],
        "cut.npz": cz[:len(cz) // 2],
    }
    for name, blob in bad.items():
        open(p(name), "wb").write(blob)
        if name.endswith(".npz"):
            r = tool(p(name), "images", p("x.npy"))
        else:
            r = tool(p(name), p("x.npy"))
        err = r.stderr.strip()
        check(r.returncode == 1 and err.count("\n") == 0 and p(name) in err, f"hostile {name} refused in one line: {err}")
    r = tool(p("nosuch.npy"), p("x.npy"))
    check(r.returncode == 1 and "nosuch.npy" in r.stderr, "missing file named")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
