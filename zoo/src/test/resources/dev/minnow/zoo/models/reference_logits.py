#!/usr/bin/python3
"""Writes reference_logits.txt: the logits of each zoo model computed by PyTorch, with weights and
input set by a formula both sides can reproduce, so that ZooForwardEquivalenceTest checks the Java
builders' wiring (branch order, concatenations, shuffles, splits, shortcuts, paddings, ceil modes)
against torchvision itself, not only their parameter counts.

Run with Debian's own Python (torch 1.13, torchvision 0.14) from the repository root:

    /usr/bin/python3 zoo/src/test/resources/dev/minnow/zoo/models/reference_logits.py

Weights: parameter number t (in model.parameters() order, which the Java builders follow), element
i in row-major order, s = 2 u(t, i) - 1 with u the integer hash below (uniform in [0, 1)):
    rank >= 2 (conv, linear weights):   s * sqrt(6 / fan_in)   (fan_in = numel / shape[0]; He's variance 2 / fan_in)
    rank 1 named *weight (BN scale):    1 + 0.1 s
    rank 1 otherwise (biases, BN shift): 0.01 s
BN running statistics keep their defaults (mean 0, variance 1); eval mode. Input [1, 3, S, S]
with x_i = 2 u(-1, i) - 1. 10 classes. Each line: name, S, then the 10 logits.

(A hash rather than a smooth formula such as sin(a i + b t): with smooth weights every fully
connected layer projects its input onto a single frequency, and the logits hardly depend on the
convolutional features at all; and He's scale, so that the features neither fade nor drown in
the biases through twenty ReLU layers.)

The models torchvision lacks (BVLC AlexNet and GoogLeNet, MobileNet V1, ShuffleNet V1) come from
the independent PyTorch transcriptions in zoo/scripts/torchvision_counts.py.
"""
import math
import os
import sys

import numpy as np
import torch
import torchvision.models as m

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../../../../scripts"))
import torchvision_counts as transcribed  # noqa: E402

CLASSES = 10
MODELS = [
    ("alexnet", 224, lambda: m.alexnet(num_classes=CLASSES)),
    ("alexnet_bvlc", 224, lambda: transcribed.alexnet_bvlc(CLASSES)),
    ("googlenet", 64, lambda: m.googlenet(num_classes=CLASSES, aux_logits=False, transform_input=False,
                                          init_weights=False)),
    ("googlenet_bvlc", 64, lambda: transcribed.googlenet_bvlc(CLASSES)),
    ("resnet18", 64, lambda: m.resnet18(num_classes=CLASSES)),
    ("resnet50", 64, lambda: m.resnet50(num_classes=CLASSES)),
    ("mobilenet_v1", 64, lambda: transcribed.mobilenet_v1(CLASSES)),
    ("mobilenet_v2", 64, lambda: m.mobilenet_v2(num_classes=CLASSES)),
    ("shufflenet_v1_g3", 64, lambda: transcribed.shufflenet_v1_g3(CLASSES)),
    ("shufflenet_v2_x1_0", 64, lambda: m.shufflenet_v2_x1_0(num_classes=CLASSES)),
    ("squeezenet1_0", 64, lambda: m.squeezenet1_0(num_classes=CLASSES)),
    ("squeezenet1_1", 64, lambda: m.squeezenet1_1(num_classes=CLASSES)),
]


def uniform(t, n):
    """u(t, i) for i < n: a 32-bit integer hash of (t, i) scaled to [0, 1); ZooForwardEquivalenceTest has the same."""
    x = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761) + np.uint64((t * 40503 + 12345) & 0xFFFFFFFF))
    x &= np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x45D9F3B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    return torch.from_numpy(x.astype(np.float64) / 4294967296.0)


def fill(model):
    with torch.no_grad():
        for t, (name, p) in enumerate(model.named_parameters()):
            s = 2 * uniform(t, p.numel()) - 1
            if p.dim() >= 2:
                v = s * math.sqrt(6 / (p.numel() / p.shape[0]))
            elif name.endswith("weight"):
                v = 1 + 0.1 * s
            else:
                v = 0.01 * s
            p.copy_(v.reshape(p.shape).float())


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_logits.txt")
    with open(out, "w") as f:
        for name, size, make in MODELS:
            model = make().eval()
            fill(model)
            n = 3 * size * size
            x = (2 * uniform(-1, n) - 1).float().reshape(1, 3, size, size)
            with torch.no_grad():
                y = model(x).reshape(-1)
            f.write(" ".join([name, str(size)] + [repr(float(v)) for v in y]) + "\n")
            print(name, size, y.abs().max().item())


if __name__ == "__main__":
    main()
