#!/usr/bin/python3
"""Writes the fixtures of ImagePreprocessingTest: two small PNG pictures and what torchvision's
transforms make of them. Run with Debian's own Python (torchvision 0.14, Pillow) from anywhere:

    /usr/bin/python3 zoo/src/test/resources/dev/minnow/zoo/image/make_preprocessing_fixtures.py

Pictures (drawn from formulas with sharp edges and fine texture, so that a resize that differs
anywhere shows):
    landscape.png   64 x 48 RGB (wider than high)
    portrait.png    30 x 41 grayscale (PNG colour type 0)
References, each the output of
    T.Compose([T.Resize(R), T.CenterCrop(C), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])
applied to Image.open(file).convert("RGB"), as float32 .npy:
    landscape_256_224_every8.npy   R=256, C=224 (ImageNet's), an upscale; rows and columns 3, 11, ..., 219
                                   (every 8th, to keep the file small): [3, 28, 28]
    landscape_32_28.npy            R=32, C=28, a downscale (the anti-aliased filter widens): [3, 28, 28]
    portrait_24_20.npy             R=24, C=20, a gray image, downscale: [3, 20, 20]
"""
import os

import numpy as np
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def landscape():
    y, x = np.mgrid[0:48, 0:64]
    r = (x * 4) % 256
    g = np.where((x // 8 + y // 8) % 2 == 0, 230, 20)
    b = (np.sin(x * 0.9) * np.cos(y * 0.7) * 120 + 128).astype(int)
    return Image.fromarray(np.stack([r, g, b], axis=-1).astype(np.uint8), "RGB")


def portrait():
    y, x = np.mgrid[0:41, 0:30]
    v = ((x * 37 + y * y * 11) % 251)
    v[(x - 15) ** 2 + (y - 20) ** 2 < 60] = 255
    return Image.fromarray(v.astype(np.uint8), "L")


def reference(path, resize, crop):
    t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(MEAN, STD)])
    return t(Image.open(path).convert("RGB")).numpy().astype(np.float32)


def main():
    land = os.path.join(HERE, "landscape.png")
    port = os.path.join(HERE, "portrait.png")
    landscape().save(land)
    portrait().save(port)
    np.save(os.path.join(HERE, "landscape_256_224_every8.npy"), reference(land, 256, 224)[:, 3::8, 3::8].copy())
    np.save(os.path.join(HERE, "landscape_32_28.npy"), reference(land, 32, 28))
    np.save(os.path.join(HERE, "portrait_24_20.npy"), reference(port, 24, 20))
    for f in sorted(os.listdir(HERE)):
        print(f, os.path.getsize(os.path.join(HERE, f)))


if __name__ == "__main__":
    main()
