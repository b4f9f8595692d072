#!/usr/bin/python3
"""Small valid and hostile ONNX models for the fuzz corpora, the regression
inputs and tests/e2e/bad_inputs.sh (docs/RELIABILITY.md).

  hostile_onnx.py CASE OUT.onnx      writes one model
  hostile_onnx.py --list             lists the cases

Valid cases start with "ok_"; every other case is one defect class of issue 15
that keymac must refuse with one line naming the file.
"""
import struct
import sys

import onnx
from onnx import TensorProto, helper


def conv_chain(weight=None, w_dims=(2, 1, 3, 3), conv_attrs=None, bias=None, extra_nodes=(), flatten=True,
               in_dims=(1, 1, 28, 28)):
    """x[N,1,28,28] -> Conv(W) -> Relu -> Flatten -> y: small enough for a seed corpus."""
    n = 1
    for d in w_dims:
        n *= max(d, 0)
    if weight is None:
        weight = [0.1 * ((i % 7) - 3) for i in range(n)]
    inits = [helper.make_tensor("W", TensorProto.FLOAT, list(w_dims), weight)]
    conv_in = ["x", "W"]
    if bias is not None:
        inits.append(helper.make_tensor("B", TensorProto.FLOAT, [len(bias)], bias))
        conv_in.append("B")
    attrs = conv_attrs if conv_attrs is not None else {"kernel_shape": list(w_dims[2:]), "pads": [1, 1, 1, 1]}
    nodes = [helper.make_node("Conv", conv_in, ["c"], name="conv", **attrs),
             helper.make_node("Relu", ["c"], ["r"], name="relu")]
    nodes += list(extra_nodes)
    last = nodes[-1].output[0]
    if flatten:
        nodes.append(helper.make_node("Flatten", [last], ["y"], name="flatten", axis=1))
        last = "y"
    return model(nodes, inits, in_dims, last)


def model(nodes, inits, in_dims, out_name):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + list(in_dims[1:]))],
                          [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, None)], initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def gemm(weight_dims=(784, 2), weight=None, alpha=None, bias=None, raw=None):
    """x[N,784] -> Gemm(W[784,2]) -> y."""
    if raw is not None:
        w = TensorProto()
        w.name, w.data_type = "W", TensorProto.FLOAT
        w.dims.extend(weight_dims)
        w.raw_data = raw
    else:
        n = weight_dims[0] * weight_dims[1]
        w = helper.make_tensor("W", TensorProto.FLOAT, list(weight_dims),
                               weight if weight is not None else [0.01 * (i % 5) for i in range(n)])
    inits = [w]
    ins = ["x", "W"]
    if bias is not None:
        inits.append(helper.make_tensor("B", TensorProto.FLOAT, [len(bias)], bias))
        ins.append("B")
    attrs = {} if alpha is None else {"alpha": alpha}
    return model([helper.make_node("Gemm", ins, ["y"], name="fc", **attrs)], inits, (1, 784), "y")


def missing_io(which):
    m = conv_chain()
    node = m.graph.node[1]  # Relu
    if which == "input":
        del node.input[:]
    else:
        del node.output[:]
    return m


def tensor_without_data(dims):
    """A weight that declares dims but holds no data: the importer must not allocate for it."""
    w = TensorProto()
    w.name, w.data_type = "W", TensorProto.FLOAT
    w.dims.extend(dims)
    return model([helper.make_node("Gemm", ["x", "W"], ["y"], name="fc")], [w], (1, 784), "y")


def reshape_model():
    """Conv then Reshape through Shape/Gather/Unsqueeze/Concat, as PyTorch emits x.view(x.size(0), -1)."""
    idx = helper.make_tensor("i0", TensorProto.INT64, [], [0])
    minus1 = helper.make_tensor("m1", TensorProto.INT64, [1], [-1])
    extra = [helper.make_node("Shape", ["r"], ["s"], name="shape"),
             helper.make_node("Gather", ["s", "i0"], ["b"], name="gather", axis=0),
             helper.make_node("Unsqueeze", ["b"], ["bu"], name="unsq", axes=[0]),
             helper.make_node("Concat", ["bu", "m1"], ["shp"], name="concat", axis=0),
             helper.make_node("Reshape", ["r", "shp"], ["y"], name="reshape")]
    m = conv_chain(extra_nodes=extra, flatten=False)
    m.graph.initializer.extend([idx, minus1])
    return m


def newline_name():
    """A NaN weight in a node whose name holds a newline: the error must stay one line."""
    m = conv_chain(weight=[float("nan")] + [0.1] * 17)
    m.graph.node[0].name = "conv\nkeymac: forged second line"
    return m


def two_conv():
    """Conv -> Relu -> Conv -> Flatten: the first layer requantizes, the last outputs int32."""
    w2 = helper.make_tensor("W2", TensorProto.FLOAT, [2, 2, 3, 3], [0.05 * ((i % 5) - 2) for i in range(36)])
    m = conv_chain(extra_nodes=[helper.make_node("Conv", ["r", "W2"], ["c2"], name="conv2", kernel_shape=[3, 3],
                                                 strides=[2, 2])])
    m.graph.initializer.append(w2)
    return m


def pool_model():
    extra = [helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("AveragePool", ["p"], ["q"], name="avg", kernel_shape=[2, 2], strides=[2, 2])]
    return conv_chain(extra_nodes=extra)


CASES = {
    # valid seeds
    "ok_conv": lambda: conv_chain(bias=[0.1, -0.2]),
    "ok_pool": pool_model,
    "ok_reshape": reshape_model,
    "ok_two_conv": two_conv,
    "ok_gemm": lambda: gemm(bias=[0.5, -0.5]),
    # issue 15, Inputs: ONNX
    "weight_dims_2p60": lambda: tensor_without_data([784, 2 ** 60]),
    "weight_8gib_no_data": lambda: tensor_without_data([2 ** 31]),
    "weight_no_data": lambda: tensor_without_data([784, 2]),
    "numel_overflow": lambda: tensor_without_data([2 ** 32, 2 ** 32, 2 ** 32]),
    "raw_data_short": lambda: gemm(raw=b"\0" * 100),
    "node_missing_input": lambda: missing_io("input"),
    "node_missing_output": lambda: missing_io("output"),
    "nan_weight": lambda: conv_chain(weight=[float("nan")] + [0.1] * 17),
    "inf_weight": lambda: gemm(weight=[float("inf")] + [0.0] * (784 * 2 - 1)),
    "nan_bias": lambda: conv_chain(bias=[float("nan"), 0.0]),
    "nan_alpha": lambda: gemm(alpha=float("nan")),
    "pads_2p32": lambda: conv_chain(conv_attrs={"kernel_shape": [3, 3], "pads": [2 ** 32, 0, 0, 0]}),
    "strides_2p32": lambda: conv_chain(conv_attrs={"kernel_shape": [3, 3], "strides": [2 ** 32, 1]}),
    "kernel_shape_mismatch": lambda: conv_chain(w_dims=(2, 1, 5, 5), conv_attrs={"kernel_shape": [3, 3]}),
    "newline_in_node_name": newline_name,
    "huge_input_dims": lambda: conv_chain(in_dims=(1, 2 ** 40, 2 ** 40, 2 ** 40)),
}


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(CASES))
        return
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: hostile_onnx.py CASE OUT.onnx | --list")
    with open(sys.argv[2], "wb") as f:
        f.write(CASES[sys.argv[1]]().SerializeToString())


if __name__ == "__main__":
    main()
