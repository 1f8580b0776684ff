"""Proves that Hugging Face transformers loads the model folders distilj writes.

Make the folders with the Java test, then run this:
    mvn -B -o test -Dtest=ModelExportTest -Ddistilj.exportTo=/tmp/distilj-export
    /work/venv/bin/python scripts/check_export.py /tmp/distilj-export

For each folder: AutoModelForSequenceClassification.from_pretrained must find no missing, unexpected or
mismatched keys; the config must say the right architecture and labels; every parameter must hold the value the Java
test put there (sin(0.37 i + k) / 8 for parameter k in named_parameters() order, which also proves that
ParamLayout's order is PyTorch's); minilm-cls's encoder must equal the original all-MiniLM-L6-v2 weights; and a
forward pass (and, for minilm-cls, the tokenizer) must run.
"""
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
import numpy as np
import torch
import transformers
from safetensors import safe_open
from transformers import AutoModelForSequenceClassification, AutoTokenizer

assert transformers.__version__ == "5.24.0", transformers.__version__
assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__

root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/distilj-export"
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ok = True


def formula(k, n):
    return (np.sin(0.37 * np.arange(n, dtype=np.float64) + k) / 8).astype(np.float32)


def check(name, cond, what):
    global ok
    print(("  ok   " if cond else "  FAIL ") + name + ": " + what)
    ok &= bool(cond)


for sub, arch in [("distilbert-tiny", "DistilBertForSequenceClassification"), ("minilm-cls", "BertForSequenceClassification")]:
    path = os.path.join(root, sub)
    if not os.path.isdir(path):
        print(f"{path}: missing (run ModelExportTest with -Ddistilj.exportTo={root})")
        ok = False
        continue
    print(path)
    model, info = AutoModelForSequenceClassification.from_pretrained(path, output_loading_info=True)
    model.eval()
    check(sub, type(model).__name__ == arch, f"class {type(model).__name__}")
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        check(sub, len(info.get(key, [])) == 0, f"{key} = {list(info.get(key, []))}")
    check(sub, model.config.problem_type == "single_label_classification", f"problem_type {model.config.problem_type}")
    named = list(model.named_parameters())
    if sub == "distilbert-tiny":
        check(sub, model.config.id2label == {0: "neg", 1: "mixed", 2: "pos"}, f"id2label {model.config.id2label}")
        bad = [n for k, (n, p) in enumerate(named)
               if not np.array_equal(p.detach().numpy().reshape(-1), formula(k, p.numel()))]
        check(sub, not bad, f"all {len(named)} parameters hold the Java values in named_parameters() order; differing: {bad[:5]}")
        ids = torch.tensor([[1, 5, 7, 2, 0]])
        mask = torch.tensor([[1, 1, 1, 1, 0]])
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits
        check(sub, logits.shape == (1, 3) and torch.isfinite(logits).all(), f"forward logits {logits.numpy().round(5).tolist()}")
    else:
        check(sub, model.config.id2label == {0: "neg", 1: "pos"}, f"id2label {model.config.id2label}")
        orig = os.path.join(repo, "weights/all-MiniLM-L6-v2/model.safetensors")
        sd = model.state_dict()
        diffs = []
        with safe_open(orig, "pt") as f:
            for n in f.keys():
                if n.endswith("position_ids"):
                    continue
                if not torch.equal(sd["bert." + n], f.get_tensor(n)):
                    diffs.append(n)
        check(sub, not diffs, f"encoder equals the original MiniLM checkpoint; differing: {diffs[:5]}")
        check(sub, np.array_equal(sd["classifier.weight"].numpy().reshape(-1), formula(0, 2 * 384))
              and np.array_equal(sd["classifier.bias"].numpy(), formula(1, 2)), "classifier holds the Java values")
        tok = AutoTokenizer.from_pretrained(path)
        enc = tok(["a gripping, funny film", "dull"], padding=True, return_tensors="pt")
        with torch.no_grad():
            logits = model(**enc).logits
        check(sub, logits.shape == (2, 2) and torch.isfinite(logits).all(), f"tokenizer + forward, logits {logits.numpy().round(5).tolist()}")

print("ALL OK" if ok else "FAILURES")
sys.exit(0 if ok else 1)
