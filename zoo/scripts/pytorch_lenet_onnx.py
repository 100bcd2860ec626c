#!/usr/bin/python3
"""Trains a LeNet in PyTorch, exports it to ONNX, and prints PyTorch's own test accuracy.

Used by Minnow's test EvalPyTorchExportTest (and by hand) to check that `./minnow eval` on a model
trained and exported by PyTorch reports the accuracy PyTorch reports. Pixels in [0, 1] (PyTorch's
ToTensor convention), which is what `minnow eval` assumes for ONNX files.

    /usr/bin/python3 zoo/scripts/pytorch_lenet_onnx.py DATA_DIR OUT.onnx [--model lenet300|lenet5]
        [--epochs 1] [--limit N]

DATA_DIR holds the four Fashion-MNIST IDX files (raw or .gz). Prints one JSON line:
{"accuracy": ..., "correct": ..., "samples": ...}
"""
import argparse
import gzip
import json
import os
import struct

import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("out")
ap.add_argument("--model", default="lenet300", choices=["lenet300", "lenet5"])
ap.add_argument("--epochs", type=int, default=1)
ap.add_argument("--limit", type=int, default=0, help="use only the first N training images")
args = ap.parse_args()
torch.manual_seed(0)
torch.set_num_threads(1)


def read_idx(base):
    for name in (base, base + ".gz"):
        path = os.path.join(args.data, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            rank = data[3]
            dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
            return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)
    raise SystemExit("missing " + base + " in " + args.data)


xtr = read_idx("train-images-idx3-ubyte").float().div_(255).unsqueeze(1)
ytr = read_idx("train-labels-idx1-ubyte").long()
xte = read_idx("t10k-images-idx3-ubyte").float().div_(255).unsqueeze(1)
yte = read_idx("t10k-labels-idx1-ubyte").long()
if args.limit:
    xtr, ytr = xtr[:args.limit], ytr[:args.limit]

if args.model == "lenet300":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                          nn.Linear(100, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(args.epochs):
    perm = torch.randperm(xtr.shape[0])
    for i in range(0, xtr.shape[0] - 63, 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        nn.functional.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
        opt.step()
model.eval()
with torch.no_grad():
    correct = int((model(xte).argmax(1) == yte).sum())
torch.onnx.export(model, torch.zeros(1, 1, 28, 28), args.out, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
print(json.dumps({"accuracy": correct / yte.shape[0], "correct": correct, "samples": int(yte.shape[0])}))
