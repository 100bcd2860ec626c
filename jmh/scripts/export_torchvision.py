#!/usr/bin/python3
"""Exports the four whole-network benchmark subjects from torchvision to ONNX.

SqueezeNet 1.1, MobileNet-V2, ResNet-18 and GoogLeNet, each with random weights (no download:
weights=None, torch.manual_seed(SEED) before building), in eval mode, opset 13, input
[N, 3, 224, 224] with a dynamic batch dimension N. Minnow (OnnxReader) and ONNX Runtime run the
very same files in the jmh module's NetworkPeerBenchmark and NetworkBenchmark.

Run with Debian's python (it has torch and torchvision), from the repository root:

    /usr/bin/python3 jmh/scripts/export_torchvision.py [OUT_DIR]

OUT_DIR defaults to jmh/models (git-ignored). Existing files are overwritten; the output is the
same bit for bit for the same torch/torchvision versions.
"""
import os
import sys

import torch
import torchvision

SEED = 20240601
OPSET = 13

# file stem -> constructor (random weights; GoogLeNet without the auxiliary heads, which eval
# mode ignores anyway, and without transform_input, which only applies to ImageNet weights)
MODELS = {
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(weights=None),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(weights=None),
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "googlenet": lambda: torchvision.models.googlenet(weights=None, aux_logits=False, transform_input=False,
                                                      init_weights=True),
}


def export(name, make, out_dir):
    torch.manual_seed(SEED)
    model = make().eval()
    # torchvision initialises BN as gamma 1, beta 0, mean 0, var 1 (an identity); random
    # statistics make the exported (BN-folded) convolutions differ from the raw ones, as trained
    # weights would.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, 3, 224, 224)
    path = os.path.join(out_dir, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=OPSET, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "models")
    out_dir = os.path.normpath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    for name, make in MODELS.items():
        export(name, make, out_dir)


if __name__ == "__main__":
    main()
