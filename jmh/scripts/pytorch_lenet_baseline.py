#!/usr/bin/python3
"""PyTorch's side of Minnow's LeNet training comparison (docs/training.md, docs/performance.md).

Trains LeNet-300-100 and LeNet-5 (Caffe variant) on full Fashion-MNIST with the plain recipe
Minnow's issue quotes (SGD, momentum 0.9, lr 0.01, batch 64, pixels in [0, 1], PyTorch's default
initialisation) and prints seconds per epoch and test accuracy. Run it with Debian's python3:

    /usr/bin/python3 jmh/scripts/pytorch_lenet_baseline.py [--epochs N] [--threads 2] [--model lenet5|lenet300|both]

PyTorch must run on an optimised BLAS: Debian's torch calls whatever libblas.so.3 the alternatives
system selects, and with only the reference BLAS installed (the default here) a 64x784x300 matmul
took 20 ms instead of 0.6 ms and an epoch of LeNet-300-100 37 s instead of 3. Install OpenBLAS
first (`apt-get install -y libopenblas0-pthread`, which becomes the libblas.so.3 alternative);
the script prints torch's BLAS setting so that a reader can tell.

Thread tuning matters a lot on a 2-core machine: Debian's torch links OpenBLAS, whose own threads
fight PyTorch's OpenMP threads (an untuned run here was ~30x slower). The script therefore times a
short warm-up epoch slice under each candidate setting and keeps the fastest (it reports all of
them), so that Minnow is compared against PyTorch's best, not its worst.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--epochs", type=int, default=None, help="default: 20 for lenet300, 10 for lenet5")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--model", default="both", choices=["lenet5", "lenet300", "both"])
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--lr", type=float, default=0.01)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--timing-only", action="store_true", help="time 2 epochs, skip the accuracy run")
ap.add_argument("--json", action="store_true")
args = ap.parse_args()


def child_env(openblas, omp):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(openblas)
    env["OMP_NUM_THREADS"] = str(omp)
    env["MKL_NUM_THREADS"] = str(omp)
    return env


if os.environ.get("MINNOW_BASELINE_CHILD") is None:
    # Parent: pick the best thread setting by timing short runs in fresh processes (thread pools
    # are fixed at start-up), then run the real measurement with it.
    import subprocess
    candidates = [(1, args.threads), (args.threads, 1), (1, 1)]
    results = []
    for openblas, omp in candidates:
        env = child_env(openblas, omp)
        env["MINNOW_BASELINE_CHILD"] = "probe"
        out = subprocess.run([sys.executable, __file__] + sys.argv[1:], env=env, capture_output=True, text=True)
        try:
            probe = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            print(out.stdout, out.stderr, file=sys.stderr)
            raise SystemExit("probe failed")
        results.append(((openblas, omp), probe["seconds"]))
        print(f"probe OPENBLAS_NUM_THREADS={openblas} OMP_NUM_THREADS={omp}: {probe['seconds']:.2f} s for 200 batches",
              file=sys.stderr)
    (openblas, omp), _ = min(results, key=lambda r: r[1])
    env = child_env(openblas, omp)
    env["MINNOW_BASELINE_CHILD"] = "run"
    print(f"using OPENBLAS_NUM_THREADS={openblas} OMP_NUM_THREADS={omp}", file=sys.stderr)
    raise SystemExit(subprocess.run([sys.executable, __file__] + sys.argv[1:], env=env).returncode)

import torch  # noqa: E402  (after the environment is set)
import torch.nn as nn  # noqa: E402

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", args.threads)))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def load(prefix):
    x = read_idx(os.path.join(args.data, prefix + "-images-idx3-ubyte.gz")).float().div_(255).unsqueeze(1)
    y = read_idx(os.path.join(args.data, prefix + "-labels-idx1-ubyte.gz")).long()
    return x, y


def lenet300():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def train(name, xtr, ytr, xte, yte, epochs, max_batches=None):
    torch.manual_seed(args.seed)
    model = {"lenet5": lenet5, "lenet300": lenet300}[name]()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    n = xtr.shape[0]
    epoch_seconds = []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n)
        start = time.perf_counter()
        batches = 0
        for i in range(0, n - args.batch + 1, args.batch):
            idx = perm[i:i + args.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            batches += 1
            if max_batches and batches >= max_batches:
                return time.perf_counter() - start, None
        epoch_seconds.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                      for i in range(0, xte.shape[0], 1000))
    return epoch_seconds, correct / xte.shape[0]


xtr, ytr = load("train")
xte, yte = load("t10k")
names = ["lenet300", "lenet5"] if args.model == "both" else [args.model]
if os.environ["MINNOW_BASELINE_CHILD"] == "probe":
    seconds = sum(train(nm, xtr, ytr, xte, yte, 1, max_batches=200)[0] for nm in names)
    print(json.dumps({"seconds": seconds}))
    raise SystemExit(0)

report = {"torch": torch.__version__, "threads": torch.get_num_threads(),
          "openblas_threads": os.environ["OPENBLAS_NUM_THREADS"], "batch": args.batch, "models": {}}
for nm in names:
    epochs = args.epochs or (20 if nm == "lenet300" else 10)
    if args.timing_only:
        epochs = 2
    secs, acc = train(nm, xtr, ytr, xte, yte, epochs)
    median = sorted(secs)[len(secs) // 2]
    report["models"][nm] = {"epochs": epochs, "seconds_per_epoch_median": median, "seconds_per_epoch": secs,
                            "test_accuracy": acc}
    if not args.json:
        print(f"{nm}: {epochs} epochs, median {median:.2f} s/epoch, test accuracy {100 * acc:.2f} %")
# which BLAS library the process really loaded (torch's build info only says "generic")
blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.split()[-1]})
report["blas_libraries"] = blas
if not any("openblas" in b or "mkl" in b or "blis" in b for b in blas):
    print("warning: no optimised BLAS loaded (" + ", ".join(blas) + "): PyTorch's times are not its best;"
          " apt-get install -y libopenblas0-pthread", file=sys.stderr)
if args.json:
    print(json.dumps(report))
else:
    print("BLAS: " + ", ".join(blas))
