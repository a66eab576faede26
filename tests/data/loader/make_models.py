#!/usr/bin/python3
"""Writes the small ONNX files of tests/unit/onnx_loader_test.cpp (Debian python3-onnx, numpy).

Run from this folder: /usr/bin/python3 make_models.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def add_model(weight_tensor, name):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], name, [x], [y], [weight_tensor])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def external(location, offset, length):
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = t.external_data.add()
        entry.key, entry.value = key, value
    return t


weights = np.arange(6, dtype=np.float32).reshape(2, 3)
onnx.save(add_model(numpy_helper.from_array(weights, "w"), "inline"), "add_inline.onnx")
# External data: 16 bytes of padding, then the 24 bytes of weights.
with open("add_weights.bin", "wb") as f:
    f.write(b"\0" * 16 + weights.tobytes())
onnx.save(add_model(external("add_weights.bin", 16, 24), "external"), "add_external.onnx")
onnx.save(add_model(external("../loader/add_weights.bin", 16, 24), "escape"), "add_external_escape.onnx")
onnx.save(add_model(external("/etc/passwd", 0, 24), "absolute"), "add_external_absolute.onnx")
onnx.save(add_model(external("add_weights.bin", 32, 24), "past_end"), "add_external_past_end.onnx")
# raw_data of the wrong size.
bad = numpy_helper.from_array(weights, "w")
bad.raw_data = bad.raw_data[:20]
onnx.save(add_model(bad, "short_raw"), "add_short_raw.onnx")
# A cycle: a = Relu(b), b = Relu(a).
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
y = helper.make_tensor_value_info("b", TensorProto.FLOAT, [1])
cyclic = helper.make_graph([helper.make_node("Add", ["x", "b"], ["a"]), helper.make_node("Relu", ["a"], ["b"])],
                           "cycle", [x], [y])
onnx.save(helper.make_model(cyclic, opset_imports=[helper.make_opsetid("", 13)]), "cycle.onnx")
# An operator nobody implements.
unknown = helper.make_graph([helper.make_node("NoSuchOp", ["x"], ["y"]), helper.make_node("AlsoMissing", ["y"], ["z"])],
                            "unknown", [x], [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1])])
onnx.save(helper.make_model(unknown, opset_imports=[helper.make_opsetid("", 13)]), "unknown_ops.onnx")
