#!/usr/bin/python3
"""Exports torchvision resnet50 and mobilenet_v2 (random weights, seeded) to ONNX opset 17.

usage: /usr/bin/python3 tests/models/export_torchvision.py OUT_DIR
Needs Debian's python3-torch, python3-torchvision and python3-onnx. The batch dimension is
symbolic ("batch") so the runtimes are tested with a dynamic dim.
"""
import os
import sys

import torch
import torchvision


def export(name, model, out_dir):
    path = os.path.join(out_dir, name + ".onnx")
    if os.path.exists(path):
        return
    model.eval()
    example = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, example, path + ".tmp", opset_version=17, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    os.replace(path + ".tmp", path)
    print("wrote", path)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    export("resnet50", torchvision.models.resnet50(weights=None), out_dir)
    export("mobilenet_v2", torchvision.models.mobilenet_v2(weights=None), out_dir)


if __name__ == "__main__":
    main()
