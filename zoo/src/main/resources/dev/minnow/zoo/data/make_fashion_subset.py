#!/usr/bin/python3
"""Regenerates the embedded Fashion-MNIST subset shipped with Minnow's zoo module.

Takes the first 6,000 training and the first 1,000 test images (and labels) of Fashion-MNIST
(Xiao, Rasul and Vollgraf 2017, MIT licence, see FASHION-MNIST-LICENSE) from the Debian package
dataset-fashion-mnist and writes them as gzipped IDX files next to this script.
Fashion-MNIST's files are already in random order, so the first N images are close to balanced.

Usage: /usr/bin/python3 make_fashion_subset.py [SOURCE_DIR]
"""
import gzip
import os
import struct
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
SUBSETS = [("train", 6000), ("t10k", 1000)]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    return dims, data[4 + 4 * rank:]


def write_idx(path, dims, payload):
    header = bytes([0, 0, 8, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims)
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime=0: byte-identical on every run
        f.write(header + payload)


for prefix, n in SUBSETS:
    dims, pixels = read_idx(os.path.join(SRC, prefix + "-images-idx3-ubyte.gz"))
    per = dims[1] * dims[2]
    write_idx(os.path.join(HERE, prefix + "-images-idx3-ubyte.gz"), [n] + dims[1:], pixels[:n * per])
    ldims, labels = read_idx(os.path.join(SRC, prefix + "-labels-idx1-ubyte.gz"))
    write_idx(os.path.join(HERE, prefix + "-labels-idx1-ubyte.gz"), [n], labels[:n])
    counts = [labels[:n].count(c) for c in range(10)]
    print(prefix, n, "images; per class:", counts)
