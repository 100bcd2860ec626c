#!/usr/bin/python3
"""Markdown tables of docs/pruning.md from the JSON files of zoo/scripts/pruning_experiments.sh.

Usage: /usr/bin/python3 zoo/scripts/pruning_tables.py OUT_DIR
Standard library only. Every figure comes from a --json output of ./minnow.
"""
import json
import os
import sys


def load(d, name):
    path = os.path.join(d, name + ".json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def pct(x):
    return "—" if x is None else "%.2f" % (100 * x)


def sensitivity(d, name):
    j = load(d, name)
    if j is None:
        return
    print("### %s (baseline %.2f %%)\n" % (name, 100 * j["baseline_accuracy"]))
    head = "| layer | weights | " + " | ".join("%g %%" % round(100 * s, 1) for s in j["sparsities"]) + " | chosen (0.5 pt) |"
    print(head)
    print("|---|---:|" + "---:|" * len(j["sparsities"]) + "---:|")
    for l in j["layers"]:
        print("| %s | %s | %s | %g %% |" % (l["name"], format(l["weights"], ","),
              " | ".join(pct(a) for a in l["accuracy"]), round(100 * l["chosen_sparsity"], 1)))
    print()


def prune_rows(d, names):
    print("| experiment | baseline | pruned, no fine-tuning | fine-tuned | change | sparsity | kept | per layer: kept % |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, name in names:
        j = load(d, name)
        if j is None:
            continue
        layers = ", ".join("%s %.1f" % (l["name"].replace(".weight", ""), 100 * l["kept"] / l["weights"]) for l in j["layers"])
        print("| %s | %s | %s | %s | %+.2f | %.2f %% | %.1fx fewer | %s |" % (
            label, pct(j["baseline_accuracy"]), pct(j.get("pruned_accuracy")), pct(j["accuracy"]),
            100 * (j["accuracy"] - j["baseline_accuracy"]), 100 * j["sparsity"], 1 / max(1e-12, 1 - j["sparsity"]), layers))
    print()


def rounds(d, name):
    j = load(d, name)
    if j is None or "rounds" not in j:
        return
    print("| round | sparsity | accuracy after pruning | after fine-tuning |")
    print("|---:|---:|---:|---:|")
    for r in j["rounds"]:
        print("| %d | %.2f %% | %s | %s |" % (r["round"], 100 * r["sparsity"], pct(r["pruned_accuracy"]), pct(r["accuracy"])))
    print()


def lottery(d, name):
    j = load(d, name)
    if j is None:
        return
    print("Dense LeNet-300-100 after %d epochs: %.2f %%\n" % (j["epochs"], 100 * j["dense_accuracy"]))
    print("| sparsity (hidden layers / overall) | pruned, no training | (a) fine-tuned, %d epochs | (b) rewound to the original init, %d epochs | (c) fresh random init, %d epochs |"
          % (j["finetune_epochs"], j["epochs"], j["epochs"]))
    print("|---|---:|---:|---:|---:|")
    for r in j["rows"]:
        print("| %g %% / %.1f %% | %s | %s | %s | %s |" % (round(100 * r["sparsity"], 1), 100 * r["overall_sparsity"],
              pct(r["pruned_accuracy"]), pct(r["fine_tuned_accuracy"]), pct(r["rewound_accuracy"]), pct(r["random_init_accuracy"])))
    print()


def main():
    d = sys.argv[1]
    print("## Sensitivity\n")
    sensitivity(d, "lenet300-sensitivity")
    sensitivity(d, "lenet5-sensitivity")
    print("## LeNet-300-100, one-shot at 90 %, 3 epochs of fine-tuning\n")
    prune_rows(d, [("per layer 90 %", "lenet300-sparsity90"), ("global 90 %", "lenet300-global90"),
                   ("quality q = 1.6", "lenet300-quality")])
    print("## LeNet-300-100 at 95 %, 6 epochs of training after the dense model\n")
    prune_rows(d, [("one-shot, 6 epochs", "lenet300-oneshot95"), ("iterative, 3 rounds x 2 epochs", "lenet300-iterative95"),
                   ("AGP over 6 epochs", "lenet300-agp95"), ("global, 6 epochs", "lenet300-global95"),
                   ("L1 3 epochs, global, 3 epochs", "lenet300-l1-global95"),
                   ("sensitivity-chosen (1 pt), 6 epochs", "lenet300-sensitivity-prune"),
                   ("sensitivity-chosen for 95 %, 6 epochs", "lenet300-sensitivity-target95")])
    rounds(d, "lenet300-iterative95")
    print("## LeNet-5, 2 epochs of fine-tuning\n")
    prune_rows(d, [("conv 60 %, fc 92 %", "lenet5-sparsity-conv60-fc92"), ("global 90 %", "lenet5-global90"),
                   ("sensitivity-chosen (1 pt)", "lenet5-sensitivity-prune"),
                   ("sensitivity-chosen for 90 %", "lenet5-sensitivity-target90")])
    print("## Lottery ticket\n")
    lottery(d, "lenet300-lottery")


if __name__ == "__main__":
    main()
