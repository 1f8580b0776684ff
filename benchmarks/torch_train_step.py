#!/usr/bin/env python3
"""The PyTorch side of the training/evaluation benchmark (see benchmarks/train-vs-pytorch.sh).

Times what the Hugging Face Trainer does per step for the seed recipe, on the CPU, in eager mode:
DistilBertForSequenceClassification at the real DistilBERT-base sizes (random weights: the hub is not needed),
batches of 64 rotten_tomatoes rows padded to each batch's longest row (DataCollatorWithPadding), forward + loss +
backward + clip_grad_norm_(1.0) + AdamW (torch, two decay groups) + linear schedule. Then evaluation of the 1,066
test rows (no_grad, batch 64). Prints one JSON object: per-step times, eval time, peak RSS.

The batches (which rows, in which order) come from a JSON file written by the driver so that the Java side runs the
very same rows; the token ids come from the real BertTokenizerFast on the same vocabulary.
"""
import argparse, json, os, resource, statistics, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import BertTokenizerFast, DistilBertConfig, DistilBertForSequenceClassification  # noqa: E402

PINNED = {"torch": "2.15.0", "transformers": "5.24.0"}


def check_versions():
    got = {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__}
    if got != PINNED:
        sys.exit(f"torch_train_step.py is pinned to {PINNED}, found {got}: run scripts/python-env.sh")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True, help="the shared/ folder (rotten_tomatoes files, vocab, config)")
    ap.add_argument("--batches", required=True, help="JSON {train_rows: [[...],...], test_rows: [...]} from the driver")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--no-eval", action="store_true")
    a = ap.parse_args()
    check_versions()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)

    spec = json.load(open(a.batches))
    texts = spec["texts"]  # every row the batches refer to, by index
    mdir = os.path.join(a.shared, "models", "distilbert-base-uncased")
    tok = BertTokenizerFast(vocab_file=os.path.join(mdir, "vocab.txt"), do_lower_case=True)
    cfg = DistilBertConfig.from_pretrained(mdir)
    cfg.num_labels = 2
    # Eager mode (no torch.compile), with transformers' default attention kernel (SDPA): the fastest stock setup.
    model = DistilBertForSequenceClassification(cfg)
    model.train()

    no_decay = ["bias", "LayerNorm.weight", "layer_norm.weight"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=2e-5, betas=(0.9, 0.999), eps=1e-8)
    total = a.warmup + a.steps
    sched = transformers.get_linear_schedule_with_warmup(opt, 0, 670)

    def batch(rows):
        enc = tok([texts[r]["text"] for r in rows], padding="longest", return_tensors="pt")
        labels = torch.tensor([texts[r]["label"] for r in rows])
        return enc["input_ids"], enc["attention_mask"], labels

    train_batches = spec["train_batches"]
    step_times, real_tokens, padded_tokens = [], [], []
    for s in range(total):
        rows = train_batches[s % len(train_batches)]
        ids, mask, labels = batch(rows)  # tokenizing is the collator's job, outside the timed step
        t0 = time.perf_counter()
        out = model(input_ids=ids, attention_mask=mask, labels=labels)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        if s >= a.warmup:
            step_times.append(dt)
            real_tokens.append(int(mask.sum()))
            padded_tokens.append(int(mask.numel()))
        print(f"torch step {s + 1}/{total}: {dt:.3f} s loss {out.loss.item():.4f}", file=sys.stderr, flush=True)

    result = {
        "side": "pytorch", "threads": a.threads, "torch": torch.__version__, "transformers": transformers.__version__,
        "batch_size": len(train_batches[0]), "step_seconds": step_times,
        "step_median": statistics.median(step_times), "real_tokens": real_tokens, "padded_tokens": padded_tokens,
        "rows_per_step": [len(train_batches[s % len(train_batches)]) for s in range(a.warmup, total)],
    }
    if not a.no_eval:
        model.eval()
        test_rows = spec["test_rows"]
        with torch.no_grad():
            # one warm-up batch, then the timed pass over all test rows
            ids, mask, _ = batch(test_rows[:64])
            model(input_ids=ids, attention_mask=mask)
            # pre-tokenized, as the Trainer's dataset.map does: the timed loop is pad + forward
            eval_batches = [batch(test_rows[i:i + 64]) for i in range(0, len(test_rows), 64)]
            t0 = time.perf_counter()
            correct = 0
            for ids, mask, labels in eval_batches:
                logits = model(input_ids=ids, attention_mask=mask).logits
                correct += int((logits.argmax(-1) == labels).sum())
            result["eval_seconds"] = time.perf_counter() - t0
            result["eval_rows"] = len(test_rows)
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
