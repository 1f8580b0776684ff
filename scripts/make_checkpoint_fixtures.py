"""Fixtures for the checkpoint tests (src/test/resources/fixtures/checkpoint/), made by the reference stack.

1. minilm.json: for a few tensors of weights/all-MiniLM-L6-v2/model.safetensors (get it with
   weights/fetch-minilm.sh), read by the safetensors package: dtype, shape, first 8 values, float64 sum and the
   sha256 of the raw bytes; plus the file's sha256. The Java reader must agree.
2. dtypes.safetensors + dtypes.json: a tiny file written by safetensors.torch with F32, F16, BF16, F64 and I64
   tensors (awkward values: subnormals, infinities, rounding cases) and the float32 values torch converts them to.

Run: /work/venv/bin/python scripts/make_checkpoint_fixtures.py   (HF_HUB_OFFLINE=1; no network needed)
"""
import hashlib
import json
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
import numpy as np
import safetensors
import torch
from safetensors import safe_open
from safetensors.torch import save_file

assert safetensors.__version__ == "0.8.0", safetensors.__version__
assert np.__version__ == "2.4.6", np.__version__
assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "src/test/resources/fixtures/checkpoint")
os.makedirs(out, exist_ok=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


# 1. MiniLM
model = os.path.join(root, "weights/all-MiniLM-L6-v2/model.safetensors")
if not os.path.exists(model):
    sys.exit(f"{model} missing: run weights/fetch-minilm.sh first")
names = [
    "embeddings.word_embeddings.weight",
    "embeddings.position_ids",
    "embeddings.LayerNorm.weight",
    "encoder.layer.0.attention.self.query.weight",
    "encoder.layer.5.output.dense.bias",
    "pooler.dense.weight",
]
tensors = {}
with safe_open(model, "np") as f:
    metadata = f.metadata()
    for n in names:
        a = f.get_tensor(n)
        tensors[n] = {
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "first8": [float(x) if a.dtype.kind == "f" else int(x) for x in a.reshape(-1)[:8]],
            "sum": float(a.astype(np.float64).sum()),
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
        }
    count = len(list(f.keys()))
with open(os.path.join(out, "minilm.json"), "w") as fo:
    json.dump({"file_sha256": sha256(model), "metadata": metadata, "tensor_count": count, "tensors": tensors},
              fo, indent=1)

# What transformers reports when it loads MiniLM into BertForSequenceClassification.
import transformers
from transformers import (AutoModelForSequenceClassification, DistilBertConfig, DistilBertForMaskedLM)

assert transformers.__version__ == "5.24.0", transformers.__version__


def loading_info(path):
    _, info = AutoModelForSequenceClassification.from_pretrained(path, output_loading_info=True)
    return {k: sorted(info[k]) for k in ("missing_keys", "unexpected_keys")}


minilm = json.load(open(os.path.join(out, "minilm.json")))
minilm["transformers_loading"] = loading_info(os.path.dirname(model))
with open(os.path.join(out, "minilm.json"), "w") as fo:
    json.dump(minilm, fo, indent=1)

# A tiny DistilBertForMaskedLM saved by transformers (the layout of distilbert-base-uncased's checkpoint) and what
# transformers reports when loading it into DistilBertForSequenceClassification.
torch.manual_seed(0)
cfg = DistilBertConfig(vocab_size=20, dim=8, n_layers=2, n_heads=2, hidden_dim=12, max_position_embeddings=10)
mlm_dir = os.path.join(out, "distilbert-tiny-mlm")
DistilBertForMaskedLM(cfg).save_pretrained(mlm_dir)
with open(os.path.join(out, "distilbert-tiny-mlm.json"), "w") as fo:
    json.dump({"transformers_loading": loading_info(mlm_dir)}, fo, indent=1)

# 2. dtypes
vals = [0.0, -0.0, 1.0, -2.5, 65504.0, 1e-7, 6e-8, 3.14159265, 1e30, float("inf"), float("-inf"), 1.0 / 3.0]
t = {
    "f32": torch.tensor(vals, dtype=torch.float32).reshape(3, 4),
    "f16": torch.tensor(vals, dtype=torch.float16).reshape(2, 6),
    "bf16": torch.tensor(vals, dtype=torch.bfloat16).reshape(12),
    "f64": torch.tensor(vals, dtype=torch.float64).reshape(4, 3),
    "position_ids": torch.arange(7, dtype=torch.int64).reshape(1, 7),
    "scalar": torch.tensor(0.5, dtype=torch.float32),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
path = os.path.join(out, "dtypes.safetensors")
save_file(t, path, metadata={"format": "pt", "note": "made by make_checkpoint_fixtures.py"})
expect = {}
for k, v in t.items():
    f32 = v.to(torch.float32) if v.is_floating_point() else v
    expect[k] = {"shape": list(v.shape), "values": [repr(float(x)) if v.is_floating_point() else int(x)
                                                    for x in f32.reshape(-1).tolist()]}
with open(os.path.join(out, "dtypes.json"), "w") as fo:
    json.dump(expect, fo, indent=1)
print("wrote", out)

# 3. End to end: MiniLM loaded into BertForSequenceClassification, the new head set to values Java can recompute
#    (parameter k of the head, element i: sin(0.37 i + k) / 8), eval mode: the logits of a few sentences.
from transformers import AutoTokenizer

mdir = os.path.dirname(model)
tok = AutoTokenizer.from_pretrained(mdir)
clf = AutoModelForSequenceClassification.from_pretrained(mdir).eval()
with torch.no_grad():
    for k, name in enumerate(["classifier.weight", "classifier.bias"]):
        p = dict(clf.named_parameters())[name]
        vals = np.sin(0.37 * np.arange(p.numel(), dtype=np.float64) + k) / 8
        p.copy_(torch.from_numpy(vals.astype(np.float32)).reshape(p.shape))
sentences = ["the rock is destined to be the 21st century's new \" conan \" and that he's going to make a splash even greater than arnold schwarzenegger , jean-claud van damme or steven segal .",
             "it's a boring , pretentious mess .",
             "hello"]
rows = []
with torch.no_grad():
    for s in sentences:
        enc = tok(s, return_tensors="pt")
        logits = clf(**enc).logits[0]
        rows.append({"text": s, "ids": enc["input_ids"][0].tolist(), "logits": [float(x) for x in logits]})
with open(os.path.join(out, "minilm_logits.json"), "w") as fo:
    json.dump({"head_formula": "sin(0.37 i + k) / 8", "rows": rows}, fo, indent=1)
print("wrote minilm_logits.json")
