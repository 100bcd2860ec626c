#!/usr/bin/python3
"""Writes the PyTorch reference that DistillationReferenceTest compares Minnow's distillation loss
and ensemble targets against. Run with Debian's own Python (torch 1.13, numpy):

    /usr/bin/python3 compression/src/test/resources/dev/minnow/compression/distill/make_distillation_reference.py

Hinton, Vinyals and Dean (2015): with p_T the teachers' distribution at temperature T (for an
ensemble, the arithmetic mean of the members' softmax(z_m / T)), s the student's logits, y the labels,

    L = alpha * T^2 * CE(p_T, softmax(s / T)) + (1 - alpha) * CE(onehot(y), softmax(s))

averaged over the batch. PyTorch's cross_entropy accepts probability targets (since 1.10), which is
exactly the soft term; the script also checks that the more common kl_div form (which differs by
the teacher's entropy, a constant) gives the same gradient.

Output (distillation_reference.txt), one record per line, whitespace-separated:
    student N K  <N*K floats>
    teachers M N K  <M*N*K floats>
    labels N  <N ints>
    case T alpha members  loss <L>  target <N*K probabilities p_T>  grad <N*K dL/ds>
Inputs are float32 values (printed exactly); the reference is computed in float64.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(20261123)
N, K, M = 4, 5, 3
student = (rng.standard_normal((N, K)) * 2).astype(np.float32)
teachers = (rng.standard_normal((M, N, K)) * 3).astype(np.float32)
teachers[2, 1, 3] = 25.0   # a confident member: its p at T = 1 underflows in the other classes
labels = rng.integers(0, K, N)


def fmt(values):
    return " ".join("%.17g" % v for v in np.asarray(values, dtype=np.float64).ravel())


def case(temperature, alpha, members):
    s = torch.tensor(student, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(teachers[:members], dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.long)
    p = F.softmax(t / temperature, dim=-1).mean(dim=0)          # arithmetic mean of the distributions
    soft = F.cross_entropy(s / temperature, p)                    # mean over the batch of -sum p log q
    hard = F.cross_entropy(s, y)
    loss = alpha * temperature ** 2 * soft + (1 - alpha) * hard
    (grad,) = torch.autograd.grad(loss, s)

    s2 = torch.tensor(student, dtype=torch.float64, requires_grad=True)
    kl = F.kl_div(F.log_softmax(s2 / temperature, dim=-1), p, reduction="batchmean")
    loss_kl = alpha * temperature ** 2 * kl + (1 - alpha) * F.cross_entropy(s2, y)
    (grad_kl,) = torch.autograd.grad(loss_kl, s2)
    assert torch.allclose(grad, grad_kl, atol=1e-12), "CE and KL forms must have the same gradient"

    return "case %s %s %d loss %s target %s grad %s" % (fmt([temperature]), fmt([alpha]), members,
                                                      fmt([loss.item()]), fmt(p.detach().numpy()),
                                                      fmt(grad.numpy()))


lines = ["student %d %d %s" % (N, K, fmt(student)),
         "teachers %d %d %d %s" % (M, N, K, fmt(teachers)),
         "labels %d %s" % (N, " ".join(str(int(v)) for v in labels))]
for temperature, alpha in [(1.0, 0.5), (2.0, 1.0), (4.0, 0.9), (8.0, 0.7), (20.0, 0.9)]:
    for members in (1, M):
        lines.append(case(temperature, alpha, members))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distillation_reference.txt")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", out)
