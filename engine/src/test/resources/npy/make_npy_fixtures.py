#!/usr/bin/python3
"""Writes the tiny .npy fixtures NpyTest reads, with NumPy itself as the reference writer.

Run with Debian's Python (it has NumPy):  /usr/bin/python3 make_npy_fixtures.py
The files land next to this script. NpyTest re-derives every expected value by hand, so the
fixtures only have to be what NumPy writes for these arrays.
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(HERE, name)
    if version is None:
        np.save(path, array, allow_pickle=array.dtype == object)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version)


arange6 = np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.25) - np.float32(0.5)

save("f4_2x3.npy", arange6)                                   # -0.5 -0.25 0 0.25 0.5 0.75
save("f8_5.npy", np.array([0.1, 1 / 3, 1e-40, 1e300, -2.5], dtype="<f8"))
save("f2_12.npy", np.array([0.0, 1.0, -2.0, 0.5, 65504.0, 2.0**-24, 2.0**-14, 1.5 * 2.0**-15,
                            np.inf, -np.inf, np.nan, -0.0], dtype="<f2"))
save("i8_6.npy", np.array([-(2**62), -1, 0, 1, 2**40 + 3, 2**63 - 1], dtype="<i8"))
save("i4_2x2.npy", np.array([[-(2**31), -7], [0, 2**31 - 1]], dtype="<i4"))
save("i1_4.npy", np.array([-128, -1, 0, 127], dtype="i1"))
save("u1_4.npy", np.array([0, 1, 200, 255], dtype="u1"))
save("b1_3.npy", np.array([True, False, True]))
save("f4_scalar.npy", np.array(3.5, dtype=np.float32))
save("f4_0x3.npy", np.zeros((0, 3), dtype=np.float32))
save("f4_fortran_2x3x4.npy", np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
save("i8_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)))
save("f4_v2.npy", arange6, version=(2, 0))
save("f4_v3.npy", arange6, version=(3, 0))
save("f4_bigendian.npy", arange6.astype(">f4"))
save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
save("object.npy", np.array([1, "a"], dtype=object))
save("u2_2.npy", np.array([1, 2], dtype="<u2"))
