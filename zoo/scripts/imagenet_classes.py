#!/usr/bin/python3
"""Writes the 1000 ImageNet class names that `minnow classify` prints, one per line, in class-index
order (line 1 is class 0), to zoo/src/main/resources/dev/minnow/zoo/image/imagenet_classes.txt.

The names are torchvision's (the `categories` of its ImageNet weights, the list every
torchvision classifier's output index refers to), read from Debian's python3-torchvision on this
machine, so nothing is downloaded:

    /usr/bin/python3 zoo/scripts/imagenet_classes.py
"""
import os

import torchvision.models as tvm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "minnow",
                   "zoo", "image", "imagenet_classes.txt")


def main():
    names = tvm.ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    assert len(names) == 1000, len(names)
    assert all(n and "\n" not in n for n in names)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} names to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
