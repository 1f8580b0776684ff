"""Fixture for distilj.train: a real Hugging Face Trainer run on a tiny bag-of-embeddings classifier, so that the
Java trainer's loop (decay groups, clipping, schedule, AdamW, logging means, learning rate logged, evaluation, epoch
values) can be compared number by number.

The model is distilj's test-only TinyBagModel without dropout: h = mean of the row's embeddings, logits = W h + b,
cross-entropy. The Trainer's data order (RandomSampler, seed 42) cannot be reproduced outside torch, so the rows of
each step are recorded and exported.

Writes src/test/resources/fixtures/trainer/:
  fixture.json   rows (token ids), labels, eval rows/labels, the order of rows per step, hyper-parameters, the Trainer's
                 log_history, and the initial and final parameters (flat lists, float32 values)

Run: /work/venv/bin/python scripts/make_trainer_fixtures.py   (from the repository root)
"""
import json
import os
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import numpy as np
import torch
import transformers

assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__
assert transformers.__version__ == "5.24.0", transformers.__version__

from torch import nn
from transformers import Trainer, TrainingArguments
from transformers.modeling_outputs import SequenceClassifierOutput

OUT = os.path.join("src", "test", "resources", "fixtures", "trainer")
os.makedirs(OUT, exist_ok=True)

V, D, C = 40, 6, 2
N_TRAIN, N_EVAL = 30, 20
BATCH, EVAL_BATCH, EPOCHS = 8, 16, 3
LR, WD, LOGGING = 0.05, 0.01, 3

rng = np.random.default_rng(7)


def make(n):
    rows, labels = [], []
    for _ in range(n):
        ln = int(rng.integers(3, 13))
        ids = [int(x) for x in rng.integers(0, V, ln)]
        rows.append(ids)
        labels.append(1 if 2 * sum(1 for x in ids if x < V // 2) > ln else 0)
    return rows, labels


train_rows, train_labels = make(N_TRAIN)
eval_rows, eval_labels = make(N_EVAL)

seen_rows = []  # rows of each training forward, in order


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(V, D)


class TinyBag(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.classifier = nn.Linear(D, C)

    def forward(self, input_ids, attention_mask, labels=None, idx=None):
        if self.training:
            seen_rows.append(idx.tolist())
        m = attention_mask.to(torch.float32)
        e = self.embeddings.word_embeddings(input_ids) * m[..., None]
        h = e.sum(1) / m.sum(1, keepdim=True)
        logits = self.classifier(h)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


class Rows(torch.utils.data.Dataset):
    def __init__(self, rows, labels):
        self.rows, self.labels = rows, labels

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return {"input_ids": self.rows[i], "labels": self.labels[i], "idx": i}


def collate(items):
    L = max(len(x["input_ids"]) for x in items)
    ids = torch.zeros(len(items), L, dtype=torch.long)
    mask = torch.zeros(len(items), L, dtype=torch.long)
    for r, x in enumerate(items):
        ids[r, :len(x["input_ids"])] = torch.tensor(x["input_ids"])
        mask[r, :len(x["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([x["labels"] for x in items]),
            "idx": torch.tensor([x["idx"] for x in items])}


def accuracy(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


torch.manual_seed(0)
model = TinyBag()
with torch.no_grad():
    model.embeddings.word_embeddings.weight.normal_(0, 0.5)
    model.classifier.weight.normal_(0, 0.1)
    model.classifier.bias.zero_()
init = {n: p.detach().clone().reshape(-1).tolist() for n, p in model.named_parameters()}

with tempfile.TemporaryDirectory() as tmp:
    args = TrainingArguments(output_dir=tmp, per_device_train_batch_size=BATCH, per_device_eval_batch_size=EVAL_BATCH,
                             num_train_epochs=EPOCHS, learning_rate=LR, weight_decay=WD, logging_steps=LOGGING,
                             eval_strategy="epoch", save_strategy="no", seed=42, report_to=[], use_cpu=True,
                             disable_tqdm=True, remove_unused_columns=False)
    trainer = Trainer(model=model, args=args, train_dataset=Rows(train_rows, train_labels),
                      eval_dataset=Rows(eval_rows, eval_labels), data_collator=collate, compute_metrics=accuracy)
    decay = trainer.get_decay_parameter_names(model)
    out = trainer.train()
    optim_name = str(args.optim)

final = {n: p.detach().clone().reshape(-1).tolist() for n, p in model.named_parameters()}
fixture = {
    "torch": torch.__version__, "transformers": transformers.__version__, "optim": optim_name,
    "vocab": V, "dim": D, "classes": C, "batch_size": BATCH, "eval_batch_size": EVAL_BATCH, "epochs": EPOCHS,
    "lr": LR, "weight_decay": WD, "logging_steps": LOGGING,
    "decay_params": decay,
    "train_rows": train_rows, "train_labels": train_labels, "eval_rows": eval_rows, "eval_labels": eval_labels,
    "step_rows": seen_rows,
    "init": init, "final": final,
    "log_history": trainer.state.log_history,
    "training_loss": out.training_loss, "global_step": out.global_step,
}
with open(os.path.join(OUT, "fixture.json"), "w") as f:
    json.dump(fixture, f)
print("steps", out.global_step, "training_loss", out.training_loss, "optim", optim_name, "decay", decay)
for e in trainer.state.log_history:
    print(e)
