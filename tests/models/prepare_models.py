#!/usr/bin/python3
"""Prepares the model tests' inputs that need Python (Debian python3-torch, -torchvision, -pil, -numpy).

usage: /usr/bin/python3 tests/models/prepare_models.py OUT_DIR

- resnet50.onnx, mobilenet_v2.onnx: torchvision models with random (seeded) weights, exported
  with opset 17 and a symbolic batch dimension. BatchNorm statistics are calibrated on random
  images first so activations keep a useful scale (untrained running stats shrink mobilenet's
  outputs to ~1e-9, which would make any comparison pass).
- ocr-det-input.npy, ocr-rec-input.npy: the bundled sample image (demo/ocr/sample.png)
  preprocessed as the OCR pipeline does, so the OCR models are tested on real text.
"""
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def calibrate_batchnorm(model):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, 224, 224))
    model.eval()


def export(name, make_model, out_dir):
    path = os.path.join(out_dir, name + ".onnx")
    if os.path.exists(path):
        return
    torch.manual_seed(0)
    model = make_model()
    calibrate_batchnorm(model)
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path + ".tmp", opset_version=17, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    os.replace(path + ".tmp", path)
    print("wrote", path)


def to_bgr_chw(image, mean, std):
    x = np.asarray(image, dtype=np.float32)[:, :, ::-1] / 255.0  # RGB -> BGR, as PaddleOCR's models expect
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def ocr_inputs(out_dir):
    image = Image.open(os.path.join(ROOT, "demo/ocr/sample.png")).convert("RGB")
    det = to_bgr_chw(image.resize((736, 352), Image.BILINEAR), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    np.save(os.path.join(out_dir, "ocr-det-input.npy"), det)
    # The "Thank you for visiting!" line, resized to height 48 and padded to width 320.
    line = image.crop((30, 262, 390, 312))
    width = min(320, int(np.ceil(48 * line.width / line.height)))
    rec = np.zeros((1, 3, 48, 320), np.float32)
    rec[:, :, :, :width] = to_bgr_chw(line.resize((width, 48), Image.BILINEAR), [0.5] * 3, [0.5] * 3)
    np.save(os.path.join(out_dir, "ocr-rec-input.npy"), rec)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    export("resnet50", lambda: torchvision.models.resnet50(weights=None), out_dir)
    export("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(weights=None), out_dir)
    ocr_inputs(out_dir)


if __name__ == "__main__":
    main()
