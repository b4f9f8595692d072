#!/usr/bin/python3
"""Damaged and hostile locked-model packages, made from a valid one
(docs/FORMATS.md: "KEYMACP1", uint64 LE header length, JSON header, blob).

  hostile_package.py CASE VALID.kmpkg OUT.kmpkg
  hostile_package.py --list

Header edits keep the blob and its CRC-32 intact, so each case reaches the
header check it is about.
"""
import json
import struct
import sys


def split(data):
    n = struct.unpack("<Q", data[8:16])[0]
    return json.loads(data[16:16 + n]), data[16 + n:]


def join(h, blob, magic=b"KEYMACP1"):
    hb = json.dumps(h).encode()
    return magic + struct.pack("<Q", len(hb)) + hb + blob


def edit(fn):
    def run(data):
        h, blob = split(data)
        fn(h)
        return join(h, blob)
    return run


def first_gemm(h):
    return next(l for l in h["layers"] if l["kind"] in ("Gemm", "Conv"))


def flip_blob_byte(data):
    b = bytearray(data)
    b[-3] ^= 0x10
    return bytes(b)


def flip_magic_bit(data):
    b = bytearray(data)
    b[3] ^= 0x01
    return bytes(b)


def set_field(path, value):
    def fn(h):
        d = h
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return edit(fn)


def layer_field(name, value):
    return edit(lambda h: first_gemm(h).__setitem__(name, value))


CASES = {
    "empty": lambda d: b"",
    "stub_12_bytes": lambda d: d[:12],
    "truncated": lambda d: d[:len(d) // 2],
    "wrong_magic": lambda d: b"NOTAPKG1" + d[8:],
    "bitflip_magic": flip_magic_bit,
    "bitflip_blob": flip_blob_byte,
    "header_length_huge": lambda d: d[:8] + struct.pack("<Q", 2 ** 63) + d[16:],
    "header_not_json": lambda d: d[:8] + struct.pack("<Q", 5) + b"{{{{{" + d[16:],
    "input_scale_zero": set_field(["input_scale"], 0),
    "input_scale_negative": set_field(["input_scale"], -1),
    "std_zero": set_field(["preprocess", "std"], 0),
    "input_scale_string": set_field(["input_scale"], "x"),
    "negative_shape": set_field(["input_shape"], [-784]),
    "shape_overflow": set_field(["input_shape"], [2 ** 62, 2 ** 62]),
    "kn_overflow": edit(lambda h: (first_gemm(h).__setitem__("k", 2 ** 32), first_gemm(h).__setitem__("n", 2 ** 32))),
    "window_float_huge": layer_field("window", [1e30, 1, 1, 1, 0, 0, 0, 0]),
    "count_huge": edit(lambda h: first_gemm(h)["weight_int8"].__setitem__("count", 2 ** 64 - 1)),
    "offset_negative": edit(lambda h: first_gemm(h)["weight_int8"].__setitem__("offset", -8)),
    "num_outputs_string": set_field(["num_outputs"], "ten"),
    "layers_not_list": set_field(["layers"], {"a": 1}),
    "out_scale_huge": layer_field("out_scale", 1e39),
}


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(CASES))
        return
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        sys.exit("usage: hostile_package.py CASE VALID.kmpkg OUT.kmpkg | --list")
    data = open(sys.argv[2], "rb").read()
    with open(sys.argv[3], "wb") as f:
        f.write(CASES[sys.argv[1]](data))


if __name__ == "__main__":
    main()
