"""The PyTorch side of the "real run" (issue 7): the seed recipe with the Hugging Face Trainer, on this CPU.

all-MiniLM-L6-v2 loaded as BertForSequenceClassification (pooler from the checkpoint, classifier newly initialised),
fine-tuned on rotten_tomatoes: lr 2e-5, batch 64, 5 epochs (670 steps), weight decay 0.01, evaluation on the test
split after each epoch (eval batch 64), accuracy, seed 42, logging and a checkpoint every 500 steps. CPU, 2 threads.

rotten_tomatoes is rebuilt from the raw files exactly as the Hugging Face dataset script does (latin-1, universal
newlines, str.strip, i1 = 4265, i2 = 4798; train = pos[:i1] + neg[:i1], test = pos[i2:] + neg[i2:], label 1 = pos),
so no `datasets` package is needed.

Prints the epoch table, the TrainOutput and the wall time; writes benchmarks/results/realrun-hf.json.

Run (from the repository root):
  python scripts/hf_real_run.py [--data DIR] [--model DIR] [--out FILE] [--threads N] [--work DIR]
"""
import argparse
import json
import os
import platform
import shutil
import tempfile
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

T_START = time.time()

import numpy as np
import torch
import transformers
import accelerate

assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__
assert transformers.__version__ == "5.24.0", transformers.__version__
assert accelerate.__version__ == "1.15.0", accelerate.__version__

from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainerCallback, TrainingArguments)


def read_lines(path):
    # As the dataset script: open(..., encoding="latin-1") in text mode (universal newlines), one example per line.
    with open(path, encoding="latin-1") as f:
        return [line.strip() for line in f]


def rotten_tomatoes(data_dir):
    pos = read_lines(os.path.join(data_dir, "rt-polarity.pos"))
    neg = read_lines(os.path.join(data_dir, "rt-polarity.neg"))
    assert len(pos) == len(neg) == 5331, (len(pos), len(neg))
    i1, i2 = int(len(pos) * 0.8 + 0.5), int(len(pos) * 0.9 + 0.5)
    assert (i1, i2) == (4265, 4798)
    train = [(t, 1) for t in pos[:i1]] + [(t, 0) for t in neg[:i1]]
    test = [(t, 1) for t in pos[i2:]] + [(t, 0) for t in neg[i2:]]
    return train, test


class Encoded(torch.utils.data.Dataset):
    """The tokenized rows as the seed's `dataset.map(preprocess_function)` gives them (truncation=True, no padding)."""

    def __init__(self, rows, tokenizer):
        enc = tokenizer([t for t, _ in rows], truncation=True)
        self.items = [{k: enc[k][i] for k in enc.keys()} | {"labels": y} for i, (_, y) in enumerate(rows)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


class StopAfterEpochs(TrainerCallback):
    """Ends training after the evaluation of epoch N, the schedule still that of the whole run (670 steps): the first
    N rows of the full run's table, for a machine too slow or too loaded for all five epochs."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_evaluate(self, args, state, control, **kwargs):
        if state.epoch is not None and round(state.epoch) >= self.epochs:
            control.should_training_stop = True


def epoch_table(log_history):
    """Rows (epoch, training loss or None, validation loss, accuracy), as the notebook's progress table shows them:
    the training loss column is the last logged loss at or before the evaluation, "No log" before the first log."""
    rows, last_loss = [], None
    for e in log_history:
        if "loss" in e:
            last_loss = e["loss"]
        if "eval_loss" in e:
            rows.append((round(e["epoch"]), last_loss, e["eval_loss"], e["eval_accuracy"]))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("DISTILJ_RT_DATA", "/work/shared/data/rotten_tomatoes"))
    ap.add_argument("--model", default="weights/all-MiniLM-L6-v2")
    ap.add_argument("--out", default="benchmarks/results/realrun-hf.json")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42, help="the recipe's seed is 42; others measure seed-to-seed spread")
    ap.add_argument("--work", default=None, help="Trainer output_dir (checkpoints); default: a temp dir, deleted")
    ap.add_argument("--max-steps", type=int, default=-1, help="for a quick timing only")
    ap.add_argument("--stop-after-epochs", type=int, default=0,
                    help="stop after the evaluation of this epoch, keeping the 5-epoch schedule (0: run all 5)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    train_rows, test_rows = rotten_tomatoes(a.data)

    tokenizer = AutoTokenizer.from_pretrained(a.model)
    # transformers 5 ignores vocab_file= in BertTokenizerFast(...); from_pretrained(dir) reads the folder's files.
    assert tokenizer.vocab_size == 30522, tokenizer.vocab_size
    assert tokenizer("the movie")["input_ids"][0] == 101

    train_ds, test_ds = Encoded(train_rows, tokenizer), Encoded(test_rows, tokenizer)
    model = AutoModelForSequenceClassification.from_pretrained(
        a.model, num_labels=2, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1})

    work = a.work or tempfile.mkdtemp(prefix="hf-real-run-")
    args = TrainingArguments(
        output_dir=work, learning_rate=2e-5, per_device_train_batch_size=64, per_device_eval_batch_size=64,
        num_train_epochs=5, max_steps=a.max_steps, weight_decay=0.01, eval_strategy="epoch",
        save_strategy="steps", save_steps=500, logging_steps=500, seed=a.seed, report_to=[], use_cpu=True,
        dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=test_ds,
                      processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer),
                      compute_metrics=compute_metrics,
                      callbacks=[StopAfterEpochs(a.stop_after_epochs)] if a.stop_after_epochs > 0 else None)
    def result(out, train_wall, finished):
        table = epoch_table(trainer.state.log_history)
        return table, {
            "side": "transformers.Trainer",
            "finished": finished,
            "model": a.model,
            "recipe": {"learning_rate": 2e-5, "batch_size": 64, "eval_batch_size": 64, "epochs": 5,
                       "weight_decay": 0.01, "seed": a.seed, "logging_steps": 500, "save_steps": 500,
                       "max_steps": a.max_steps, "stopped_after_epochs": a.stop_after_epochs or None},
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                         "accelerate": accelerate.__version__, "python": platform.python_version()},
            "threads": torch.get_num_threads(),
            "epoch_table": [{"epoch": ep, "training_loss": tl, "eval_loss": vl, "eval_accuracy": acc}
                            for ep, tl, vl, acc in table],
            "train_output": None if out is None else {"global_step": out.global_step,
                                                      "training_loss": out.training_loss, **out.metrics},
            "train_wall_seconds": train_wall,
            "wall_seconds": time.time() - T_START,
            "log_history": trainer.state.log_history,
        }

    def write(res):
        os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        os.replace(tmp, a.out)

    class WriteAfterEvaluation(TrainerCallback):
        """The JSON after every evaluation too, so that a run stopped from outside keeps its finished epochs."""

        def on_evaluate(self, args, state, control, **kwargs):
            write(result(None, time.time() - t0, False)[1])

    trainer.add_callback(WriteAfterEvaluation())
    t0 = time.time()
    out = trainer.train()
    train_wall = time.time() - t0
    if a.work is None:
        shutil.rmtree(work, ignore_errors=True)

    table, res = result(out, train_wall, True)
    print()
    print(f"{'Epoch':>5}  {'Training Loss':>13}  {'Validation Loss':>15}  {'Accuracy':>8}")
    for ep, tl, vl, acc in table:
        print(f"{ep:>5}  {('No log' if tl is None else f'{tl:.6f}'):>13}  {vl:>15.6f}  {acc:>8.6f}")
    print()
    print(out)
    print(f"wall time: {res['wall_seconds']:.1f} s in all, {train_wall:.1f} s in trainer.train() "
          f"({torch.get_num_threads()} torch threads, {os.cpu_count()} cpus)")
    write(res)
    print("wrote " + a.out)


if __name__ == "__main__":
    main()
