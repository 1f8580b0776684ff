"""Fixtures for distilj.optim: three AdamW steps with gradient clipping and the linear schedule, as the
Hugging Face Trainer runs them, on a tiny set of parameters with given gradients.

Writes src/test/resources/fixtures/optim/:
  manifest.json            tensor names, shapes, decay flags, hyper-parameters, the lr and grad norm of each step,
                           and lr lambdas of get_linear_schedule_with_warmup for a schedule with warm-up
  <name>.init.npy          the parameters before step 1
  <name>.grad<s>.npy       the raw gradient given at step s (before clipping), s = 1..3
  <name>.<variant><s>.npy  the parameters after step s, for variant
                             torch  torch.optim.AdamW (for-loop implementation, the `adamw_torch` optim)
                             fused  torch.optim.AdamW(fused=True) (`adamw_torch_fused`, the Trainer default in 5.x)
                             legacy transformers' old AdamW (removed from transformers; see below), re-implemented
                                    here op by op from transformers 4.x `optimization.AdamW.step`

Run: /work/venv/bin/python scripts/make_optim_fixtures.py   (from the repository root)
"""
import json
import math
import os

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import torch
import transformers

assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__
assert transformers.__version__ == "5.24.0", transformers.__version__

from transformers import get_linear_schedule_with_warmup

OUT = os.path.join("src", "test", "resources", "fixtures", "optim")
os.makedirs(OUT, exist_ok=True)

LR = 1e-3          # larger than the recipe's 2e-5 so that every step visibly moves the weights
WD = 0.01
STEPS = 3
TOTAL = 5          # T of the linear schedule (no warm-up, like the seed recipe)
MAX_NORM = 1.0

# name, shape, decay (the Trainer's rule: no decay for biases and LayerNorm parameters; embeddings decay)
SPECS = [
    ("distilbert.embeddings.word_embeddings.weight", (13, 7), True),
    ("distilbert.embeddings.LayerNorm.weight", (7,), False),
    ("distilbert.embeddings.LayerNorm.bias", (7,), False),
    ("distilbert.transformer.layer.0.ffn.lin1.weight", (11, 7), True),
    ("distilbert.transformer.layer.0.ffn.lin1.bias", (11,), False),
    ("pre_classifier.weight", (5, 11), True),
    ("classifier.weight", (3, 5), True),
    ("classifier.bias", (3,), False),
]
# Scale of the raw gradients per step: step 1 and 3 are clipped (global norm > 1), step 2 is not.
GRAD_SCALE = [0.6, 0.02, 2.5]

gen = torch.Generator().manual_seed(1234)
init = {n: (torch.randn(s, generator=gen) * 0.5).float() for n, s, _ in SPECS}
for n, s, _ in SPECS:
    if n.endswith("LayerNorm.weight"):
        init[n] = (1.0 + 0.1 * torch.randn(s, generator=gen)).float()
grads = [{n: (torch.randn(s, generator=gen) * GRAD_SCALE[k]).float() for n, s, _ in SPECS} for k in range(STEPS)]
# a few exact zeros, as embedding rows that were not in the batch have
for k in range(STEPS):
    grads[k]["distilbert.embeddings.word_embeddings.weight"][k + 2].zero_()


def run(make_opt):
    params = {n: torch.nn.Parameter(init[n].clone()) for n, _, _ in SPECS}
    decay = [params[n] for n, _, d in SPECS if d]
    no_decay = [params[n] for n, _, d in SPECS if not d]
    opt = make_opt([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}])
    sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=0, num_training_steps=TOTAL)
    after, lrs, norms = [], [], []
    for k in range(STEPS):
        for n, _, _ in SPECS:
            params[n].grad = grads[k][n].clone()
        norm = torch.nn.utils.clip_grad_norm_([params[n] for n, _, _ in SPECS], MAX_NORM)
        norms.append(float(norm))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        opt.zero_grad()
        after.append({n: params[n].detach().clone() for n, _, _ in SPECS})
    return after, lrs, norms


class LegacyAdamW(torch.optim.Optimizer):
    """transformers 4.x `AdamW` (deprecated in 4.x, removed since), op for op: bias correction folded into the
    step size, eps added to the uncorrected sqrt(v), and weight decay applied after the update."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, correct_bias=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      correct_bias=correct_bias))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                beta1, beta2 = group["betas"]
                state["step"] += 1
                exp_avg.mul_(beta1).add_(grad, alpha=(1.0 - beta1))
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                denom = exp_avg_sq.sqrt().add_(group["eps"])
                step_size = group["lr"]
                if group["correct_bias"]:
                    bias_correction1 = 1.0 - beta1 ** state["step"]
                    bias_correction2 = 1.0 - beta2 ** state["step"]
                    step_size = step_size * math.sqrt(bias_correction2) / bias_correction1
                p.addcdiv_(exp_avg, denom, value=-step_size)
                if group["weight_decay"] > 0.0:
                    p.add_(p, alpha=(-group["lr"] * group["weight_decay"]))


variants = {
    "torch": lambda g: torch.optim.AdamW(g, lr=LR, betas=(0.9, 0.999), eps=1e-8, foreach=False),
    "fused": lambda g: torch.optim.AdamW(g, lr=LR, betas=(0.9, 0.999), eps=1e-8, fused=True),
    "legacy": lambda g: LegacyAdamW(g, lr=LR),
}

results = {}
for v, make in variants.items():
    results[v] = run(make)

for n, _, _ in SPECS:
    np.save(os.path.join(OUT, f"{n}.init.npy"), init[n].numpy())
    for k in range(STEPS):
        np.save(os.path.join(OUT, f"{n}.grad{k + 1}.npy"), grads[k][n].numpy())
        for v in variants:
            np.save(os.path.join(OUT, f"{n}.{v}{k + 1}.npy"), results[v][0][k][n].numpy())

# lr lambdas with warm-up, for the schedule test
W, T = 3, 10
opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=W, num_training_steps=T)
warm_lrs = []
for s in range(T + 2):
    warm_lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()

manifest = {
    "torch": torch.__version__,
    "transformers": transformers.__version__,
    "lr": LR, "weight_decay": WD, "betas": [0.9, 0.999], "eps": 1e-8, "max_grad_norm": MAX_NORM,
    "steps": STEPS, "total_steps": TOTAL, "warmup_steps": 0,
    "params": [{"name": n, "shape": list(s), "decay": d} for n, s, d in SPECS],
    "variants": list(variants),
    "step_lr": {v: results[v][1] for v in variants},
    "grad_norm": {v: results[v][2] for v in variants},
    "warmup_schedule": {"base_lr": 1.0, "warmup_steps": W, "total_steps": T, "lr": warm_lrs},
}
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("wrote", OUT, "grad norms", results["torch"][2], "lrs", results["torch"][1])
