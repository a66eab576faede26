#!/usr/bin/python3
"""Writes .npy seed files for fuzz_npy into the folder given as argument: every dtype the
reader accepts, scalars, empty and multi-dimensional shapes, format versions 1.0, 2.0 and 3.0,
and a few files the reader must refuse (big-endian, Fortran order, structured, object)."""
import io
import os
import sys

import numpy as np
from numpy.lib import format as npf


def save(folder, name, array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        npf.write_array(buf, array, version=version, allow_pickle=False)
    with open(os.path.join(folder, name + ".npy"), "wb") as f:
        f.write(buf.getvalue())


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for dt in ["<f4", "<f8", "<f2", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"]:
        tag = dt[1:]
        save(folder, f"vec_{tag}", (rng.standard_normal(5) * 10).astype(dt))
        save(folder, f"mat_{tag}", (rng.standard_normal((2, 3)) * 10).astype(dt))
    save(folder, "scalar", np.array(3.5, dtype="<f4"))
    save(folder, "empty", np.zeros((0, 4), dtype="<f4"))
    save(folder, "rank5", np.arange(32, dtype="<i4").reshape(2, 2, 2, 2, 2))
    save(folder, "bool_bytes", np.array([True, False, True]))
    save(folder, "v2", np.arange(6, dtype="<f4").reshape(2, 3), version=(2, 0))
    save(folder, "v3", np.arange(4, dtype="<i8"), version=(3, 0))
    # Refused by the reader, but close to valid: the fuzzer mutates them into either side.
    save(folder, "big_endian", np.arange(4, dtype=">f4"))
    save(folder, "fortran", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    save(folder, "structured", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
    save(folder, "complex", np.zeros(2, dtype="<c8"))


if __name__ == "__main__":
    main()
