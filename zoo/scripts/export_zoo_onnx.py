#!/usr/bin/python3
"""Exports the zoo's torchvision architectures to ONNX, with PyTorch's output for a test input.

Run with Debian's own Python (torch 1.13, torchvision 0.14), from anywhere:

    /usr/bin/python3 zoo/scripts/export_zoo_onnx.py                      # all nine, to ~/.cache/minnow/onnx
    /usr/bin/python3 zoo/scripts/export_zoo_onnx.py --out DIR --models resnet18,mobilenet_v2
    /usr/bin/python3 zoo/scripts/export_zoo_onnx.py --pretrained --out DIR   # ImageNet weights (downloads)

For each model (alexnet, vgg16, googlenet, resnet18, resnet50, mobilenet_v2, shufflenet_v2_x1_0,
squeezenet1_0, squeezenet1_1) it writes into --out:
    NAME.onnx         the model, opset 13, input 'input' [batch, 3, S, S] with a dynamic batch,
                      output 'logits' [batch, 1000]; exported in eval mode with torch.onnx.export's
                      defaults, so each BatchNorm is folded into the convolution before it (the
                      form users get from torch.onnx.export)
    NAME.input.npy    the test input [1, 3, S, S] (float32)
    NAME.output.npy   PyTorch's output for it [1, 1000] (float32)
    NAME.stamp        what produced them (this script's SHA-256 and torch's version): a model
                      whose stamp matches is not exported again, unless --force
With --fixtures DIR, NAME.output.npy is also copied there: that is how the committed fixtures
in zoo/src/test/resources/dev/minnow/zoo/models/torchvision/ are made (4 KB each). The .onnx files are large
(VGG-16: 553 MB) and are never committed.

Weights (random, without --pretrained): not from torch's random generator, whose streams may
change between versions, but from the integer hash u(t, i) below, uniform in [0, 1), the same
one as ZooForwardEquivalenceTest; so the committed outputs stay valid for any torch. Entry t of
model.state_dict() (parameters and BatchNorm buffers in registration order, num_batches_tracked
left out), element i in row-major order, with s = 2 u(t, i) - 1:
    rank >= 2 (conv, linear weights):  s * sqrt(6 / fan_in)   (He's scale: features keep their size)
    BN weight (scale gamma):           1 + 0.25 s
    BN running_var:                    1 + 0.5 s              (in [0.5, 1.5])
    BN running_mean:                   0.1 s
    biases (conv, linear, BN shift):   0.05 s
The running statistics are random so that folding them into the convolutions is really tested.
Test input: x_i = 2 u(-1, i) - 1 for the elements of [1, 3, S, S] in row-major order. S is 64,
the smallest size at which the ImageNet layouts stay unchanged, except for AlexNet and VGG-16,
whose classifiers need their adaptive pools to be exportable (6x6 and 7x7 maps): 224.

With --pretrained, torchvision's default ImageNet weights are downloaded (on your own machine;
nothing is downloaded at run time by Minnow) and the models are exported at 224x224; GoogLeNet
then keeps torchvision's transform_input=True, which its ported weights expect. Use the files
with `./minnow import NAME.onnx --out NAME.mnw` or directly: `./minnow classify NAME.onnx cat.jpg`.

Exit codes: 0 done, 2 bad arguments, 3 torch or torchvision missing.
"""
import argparse
import hashlib
import math
import os
import shutil
import sys
import time

try:
    import numpy as np
    import torch
    import torchvision.models as tvm
except ImportError as e:  # the JUnit test skips on exit code 3
    print(f"export_zoo_onnx.py: {e}; install Debian's python3-torch and python3-torchvision", file=sys.stderr)
    sys.exit(3)

# name -> (test input side, builder); googlenet without its auxiliary heads, as the Minnow zoo
MODELS = {
    "alexnet": (224, lambda **kw: tvm.alexnet(**kw)),
    "vgg16": (224, lambda **kw: tvm.vgg16(**kw)),
    "googlenet": (64, lambda **kw: tvm.googlenet(**kw)),
    "resnet18": (64, lambda **kw: tvm.resnet18(**kw)),
    "resnet50": (64, lambda **kw: tvm.resnet50(**kw)),
    "mobilenet_v2": (64, lambda **kw: tvm.mobilenet_v2(**kw)),
    "shufflenet_v2_x1_0": (64, lambda **kw: tvm.shufflenet_v2_x1_0(**kw)),
    "squeezenet1_0": (64, lambda **kw: tvm.squeezenet1_0(**kw)),
    "squeezenet1_1": (64, lambda **kw: tvm.squeezenet1_1(**kw)),
}
OPSET = 13


def uniform(t, n):
    """u(t, i) for i < n: a 32-bit integer hash of (t, i) scaled to [0, 1); ZooForwardEquivalenceTest has the same."""
    x = np.arange(n, dtype=np.uint64) * np.uint64(2654435761) + np.uint64((t * 40503 + 12345) & 0xFFFFFFFF)
    x &= np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x45D9F3B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 4294967296.0


def random_model(name):
    make = MODELS[name][1]
    if name == "googlenet":
        model = make(aux_logits=False, transform_input=False, init_weights=False)
    else:
        model = make()
    entries = [(k, v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")]
    with torch.no_grad():
        for t, (key, tensor) in enumerate(entries):
            s = 2 * uniform(t, tensor.numel()) - 1
            if tensor.dim() >= 2:
                v = s * math.sqrt(6 / (tensor.numel() / tensor.shape[0]))
            elif key.endswith("running_var"):
                v = 1 + 0.5 * s
            elif key.endswith("running_mean"):
                v = 0.1 * s
            elif key.endswith("weight"):
                v = 1 + 0.25 * s
            else:
                v = 0.05 * s
            tensor.copy_(torch.from_numpy(v.reshape(tuple(tensor.shape))).to(tensor.dtype))
    return model.eval()


def pretrained_model(name):
    model = tvm.get_model(name, weights="DEFAULT")  # googlenet: aux heads dropped, transform_input=True
    return model.eval()


def test_input(side):
    n = 3 * side * side
    return torch.from_numpy((2 * uniform(-1, n) - 1).astype(np.float32).reshape(1, 3, side, side))


def stamp(pretrained):
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return f"script-sha256 {digest}\ntorch {torch.__version__}\nweights {'pretrained' if pretrained else 'hash'}\n"


def up_to_date(out, name, expected):
    paths = [os.path.join(out, name + s) for s in (".onnx", ".input.npy", ".output.npy", ".stamp")]
    if not all(os.path.isfile(p) for p in paths):
        return False
    with open(paths[3]) as f:
        return f.read() == expected


def export(name, out, pretrained):
    side = 224 if pretrained else MODELS[name][0]
    model = pretrained_model(name) if pretrained else random_model(name)
    x = test_input(side)
    with torch.no_grad():
        y = model(x)
    onnx_path = os.path.join(out, name + ".onnx")
    tmp = onnx_path + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    os.replace(tmp, onnx_path)
    np.save(os.path.join(out, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out, name + ".output.npy"), y.numpy().astype(np.float32))
    return side, y


def main():
    p = argparse.ArgumentParser(description="Export the zoo's torchvision models to ONNX (see the module docstring).")
    p.add_argument("--out", default=os.path.join(os.path.expanduser("~"), ".cache", "minnow", "onnx"),
                   help="directory for NAME.onnx, NAME.input.npy, NAME.output.npy (default: ~/.cache/minnow/onnx)")
    p.add_argument("--models", default=",".join(MODELS), help="comma-separated names (default: all nine)")
    p.add_argument("--fixtures", help="also copy NAME.output.npy here (to refresh the committed test fixtures)")
    p.add_argument("--pretrained", action="store_true", help="torchvision's ImageNet weights (downloads them)")
    p.add_argument("--force", action="store_true", help="export even when the stamp says the files are current")
    a = p.parse_args()
    names = [n for n in a.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if a.pretrained and a.fixtures:
        p.error("--fixtures is for the random-weight test models, not --pretrained")
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    expected = stamp(a.pretrained)
    for name in names:
        start = time.time()
        if not a.force and up_to_date(a.out, name, expected):
            print(f"{name}: up to date in {a.out}")
        else:
            side, y = export(name, a.out, a.pretrained)
            with open(os.path.join(a.out, name + ".stamp"), "w") as f:
                f.write(expected)
            size = os.path.getsize(os.path.join(a.out, name + ".onnx")) / 1e6
            print(f"{name}: input 1x3x{side}x{side}, {size:.1f} MB, max|output| {y.abs().max().item():.4g},"
                  f" {time.time() - start:.1f} s")
        if a.fixtures:
            os.makedirs(a.fixtures, exist_ok=True)
            shutil.copyfile(os.path.join(a.out, name + ".output.npy"), os.path.join(a.fixtures, name + ".output.npy"))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
