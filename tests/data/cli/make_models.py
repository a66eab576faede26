#!/usr/bin/python3
"""Writes the tiny models and .npy files used by tests/cli/cli_test.mjs.

Run with Debian's python (it has onnx and numpy): /usr/bin/python3 tests/data/cli/make_models.py
The outputs are committed, so the tests do not need Python.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def save(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def linear():
    # y:0 = Relu(x @ W + b), with a symbolic batch dimension and an output name that needs
    # sanitising to become a file name.
    w = np.arange(8, dtype=np.float32).reshape(4, 2) / 8 - 0.25
    b = np.array([0.5, -1.0], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["xw"], name="matmul"),
            helper.make_node("Add", ["xw", "b"], ["pre"], name="add"),
            helper.make_node("Relu", ["pre"], ["y:0"], name="relu"),
        ],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y:0", TensorProto.FLOAT, ["batch", 2])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="wisp-tests"),
         "linear.onnx")
    x = np.array([[1, 2, 3, 4], [-1, 0, 0.5, 2]], dtype=np.float32)
    np.save(os.path.join(HERE, "linear_x.npy"), x)
    np.save(os.path.join(HERE, "linear_expected.npy"), np.maximum(x @ w + b, 0))


def mixed():
    # Integer and bool inputs (scalar and unnamed dimension) for --random and --fill.
    graph = helper.make_graph(
        [
            helper.make_node("Identity", ["count"], ["count_out"], name="id"),
            helper.make_node("Not", ["mask"], ["not_mask"], name="not"),
        ],
        "mixed",
        [
            helper.make_tensor_value_info("count", TensorProto.INT64, []),
            helper.make_tensor_value_info("mask", TensorProto.BOOL, [None, 3]),
        ],
        [
            helper.make_tensor_value_info("count_out", TensorProto.INT64, []),
            helper.make_tensor_value_info("not_mask", TensorProto.BOOL, [None, 3]),
        ],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "mixed.onnx")


def unsupported():
    # An operator no runtime has: `info` lists it, `run` fails with a clear error.
    graph = helper.make_graph(
        [helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery", domain="wisp.test")],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("wisp.test", 1)])
    onnx.save(model, os.path.join(HERE, "unsupported.onnx"))  # the checker rejects unknown domains


def bad_npy():
    np.save(os.path.join(HERE, "big_endian.npy"), np.arange(4, dtype=">f4"))
    np.save(os.path.join(HERE, "fortran.npy"), np.asfortranarray(np.ones((2, 4), dtype=np.float32)))
    np.save(os.path.join(HERE, "wrong_dtype.npy"), np.ones((2, 4), dtype=np.float64))
    with open(os.path.join(HERE, "truncated.npy"), "wb") as f:
        data = open(os.path.join(HERE, "linear_x.npy"), "rb").read()
        f.write(data[:-5])
    with open(os.path.join(HERE, "not_npy.npy"), "wb") as f:
        f.write(b"hello, this is not numpy\n")


if __name__ == "__main__":
    linear()
    mixed()
    unsupported()
    bad_npy()
