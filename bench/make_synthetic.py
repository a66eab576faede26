#!/usr/bin/python3
"""Writes the synthetic benchmark models and their inputs into OUT_DIR (default build/bench).

Each model is one MatMul  Y = A · B  with A a graph input and B a constant initializer, as
weights are in a real network (a runtime may pre-pack B at load time):

  matmul-256   A [256, 256]   · B [256, 256]
  matmul-1024  A [1024, 1024] · B [1024, 1024]
  gemv-4096    A [1, 4096]    · B [4096, 4096]   (memory bound: all of B is read once per run)

Next to every <name>.onnx goes <name>.A.npy, the input, so every runtime sees the same data.
Values are seeded, so the files are the same on every run.

usage: /usr/bin/python3 bench/make_synthetic.py [OUT_DIR]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# name -> (M, K, N)
CASES = {
    'matmul-256': (256, 256, 256),
    'matmul-1024': (1024, 1024, 1024),
    'gemv-4096': (1, 4096, 4096),
}


def make_model(m, k, n, seed):
    rng = np.random.default_rng(seed)
    # Scaled so outputs stay O(1) whatever K is.
    b = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['A', 'B'], ['Y'])],
        'bench',
        [helper.make_tensor_value_info('A', TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info('Y', TensorProto.FLOAT, [m, n])],
        initializer=[numpy_helper.from_array(b, 'B')],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='wisp-bench')
    model.ir_version = 8
    onnx.checker.check_model(model)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    return model, a


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else 'build/bench'
    os.makedirs(out_dir, exist_ok=True)
    for seed, (name, (m, k, n)) in enumerate(CASES.items(), start=1):
        model, a = make_model(m, k, n, seed)
        onnx.save(model, os.path.join(out_dir, f'{name}.onnx'))
        np.save(os.path.join(out_dir, f'{name}.A.npy'), a)
        print(f'{name}: [{m}, {k}] x [{k}, {n}]')


if __name__ == '__main__':
    main()
