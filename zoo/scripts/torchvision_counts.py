#!/usr/bin/python3
"""Reference parameter counts and MACs of the models the Minnow zoo rebuilds.

Run with Debian's own Python (torch 1.13, torchvision 0.14):

    /usr/bin/python3 zoo/scripts/torchvision_counts.py

Prints one line per model: name, learned parameters (torchvision's usual count,
sum(p.numel() for p in model.parameters()), which leaves out BatchNorm running statistics),
BatchNorm running-statistics elements (buffers running_mean + running_var; num_batches_tracked is
an int64 counter and is left out), and the multiply-accumulates of one 1x3x224x224 forward pass
(1x28x28 for the LeNets), counted with forward hooks as Conv2d: out.numel() * in_channels/groups * kh * kw and Linear:
batch * in_features * out_features (the convention of Minnow's Op.macs). ZooParameterCountTest
pins these numbers.

The models torchvision has come from torchvision itself. The others are transcribed below in
PyTorch from their sources, independently of the Java builders, so that their counts are checked
by a second derivation: bvlc_alexnet and bvlc_googlenet from BVLC Caffe's deploy.prototxt (no
auxiliary heads), MobileNet V1 from Table 1 of Howard et al. 2017, ShuffleNet V1 (g=3, 1x) from
Table 1 of Zhang et al. 2017 with the unit of its authors' code (megvii-model/ShuffleNet-Series),
and the two LeNets of Caffe's / Han et al.'s experiments.
"""
import torch
import torch.nn as nn
import torchvision.models as m


def conv_relu(cin, cout, k, stride=1, pad=0, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, pad, groups=groups), nn.ReLU()]


def lrn():
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)


def alexnet_bvlc(classes=1000):
    return nn.Sequential(
        *conv_relu(3, 96, 11, 4), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        *conv_relu(96, 256, 5, 1, 2, groups=2), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        *conv_relu(256, 384, 3, 1, 1), *conv_relu(384, 384, 3, 1, 1, groups=2),
        *conv_relu(384, 256, 3, 1, 1, groups=2), nn.MaxPool2d(3, 2, ceil_mode=True), nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, classes))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.b1 = nn.Sequential(*conv_relu(cin, c1, 1))
        self.b2 = nn.Sequential(*conv_relu(cin, c3r, 1), *conv_relu(c3r, c3, 3, 1, 1))
        self.b3 = nn.Sequential(*conv_relu(cin, c5r, 1), *conv_relu(c5r, c5, 5, 1, 2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), *conv_relu(cin, pp, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


def googlenet_bvlc(classes=1000):
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    return nn.Sequential(
        *conv_relu(3, 64, 7, 2, 3), pool(), lrn(), *conv_relu(64, 64, 1), *conv_relu(64, 192, 3, 1, 1), lrn(), pool(),
        Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64), pool(),
        Inception(480, 192, 96, 208, 16, 48, 64), Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64), Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128), pool(),
        Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128),
        # pool5/7x7_s1 is a 7x7 average pool, the same as a global one at 224x224 where the map is 7x7
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(1024, classes))


def conv_bn_relu(cin, cout, k, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


def mobilenet_v1(classes=1000):
    layers = conv_bn_relu(3, 32, 3, 2)
    cin = 32
    for cout, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2),
                                                                                                        (1024, 1)]:
        layers += conv_bn_relu(cin, cin, 3, stride, groups=cin) + conv_bn_relu(cin, cout, 1)
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, classes))


class ShuffleV1Unit(nn.Module):
    def __init__(self, cin, cout, stride, groups, first):
        super().__init__()
        mid, out = cout // 4, (cout - cin if stride == 2 else cout)
        self.stride, self.groups = stride, groups
        self.pw1 = nn.Sequential(*conv_bn_relu(cin, mid, 1, groups=1 if first else groups))
        self.dw = nn.Sequential(*conv_bn_relu(mid, mid, 3, stride, groups=mid)[:2])
        self.pw2 = nn.Sequential(*conv_bn_relu(mid, out, 1, groups=groups)[:2])

    def forward(self, x):
        y = self.pw1(x)
        n, c, h, w = y.shape
        y = y.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).reshape(n, c, h, w)
        y = self.pw2(self.dw(y))
        if self.stride == 1:
            return torch.relu(x + y)
        return torch.relu(torch.cat([nn.functional.avg_pool2d(x, 3, 2, 1), y], 1))


def shufflenet_v1_g3(classes=1000):
    layers = conv_bn_relu(3, 24, 3, 2) + [nn.MaxPool2d(3, 2, 1)]
    cin = 24
    for stage, (cout, units) in enumerate([(240, 4), (480, 8), (960, 4)]):
        for i in range(units):
            layers.append(ShuffleV1Unit(cin, cout, 2 if i == 0 else 1, 3, stage == 0 and i == 0))
            cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(960, classes))


def lenet300():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))

MODELS = {
    "lenet300": lenet300,
    "lenet5": lenet5,
    "alexnet_bvlc": alexnet_bvlc,
    "googlenet_bvlc": googlenet_bvlc,
    "mobilenet_v1": mobilenet_v1,
    "shufflenet_v1_g3": shufflenet_v1_g3,
    "alexnet": lambda: m.alexnet(),
    "vgg16": lambda: m.vgg16(),
    "googlenet": lambda: m.googlenet(aux_logits=False, init_weights=False, transform_input=False),
    "resnet18": lambda: m.resnet18(),
    "resnet50": lambda: m.resnet50(),
    "mobilenet_v2": lambda: m.mobilenet_v2(),
    "shufflenet_v2_x1_0": lambda: m.shufflenet_v2_x1_0(),
    "squeezenet1_0": lambda: m.squeezenet1_0(),
    "squeezenet1_1": lambda: m.squeezenet1_1(),
}


INPUTS = {"lenet300": (1, 28), "lenet5": (1, 28)}


def macs(model, channels=3, size=224):
    total = [0]

    def conv_hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        total[0] += out.numel() * (mod.in_channels // mod.groups) * k

    def linear_hook(mod, inp, out):
        total[0] += out.numel() * mod.in_features

    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.register_forward_hook(conv_hook)
        elif isinstance(mod, torch.nn.Linear):
            mod.register_forward_hook(linear_hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, channels, size, size))
    return total[0]


def main():
    torch.manual_seed(0)
    for name, make in MODELS.items():
        model = make()
        params = sum(p.numel() for p in model.parameters())
        stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
        channels, size = INPUTS.get(name, (3, 224))
        print(f"{name} params={params} bn_stats={stats} macs={macs(model, channels, size)}")


if __name__ == "__main__":
    main()
