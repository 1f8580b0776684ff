#!/usr/bin/env python3
"""Fixtures for the model tests (src/test/resources/fixtures/model/), from real transformers + torch.

Run from the repository root:  /work/venv/bin/python scripts/make_model_fixtures.py
(or .venv/bin/python after scripts/python-env.sh). The MiniLM fixture needs weights/all-MiniLM-L6-v2
(bash weights/fetch-minilm.sh); the others need nothing.

Each fixture folder holds manifest.json and .npy arrays:
  * the config (in distilj's ModelConfig field names),
  * a packed batch: ids (int32, rows back to back), offsets (int32, rows + 1), labels (int32), rows of
    DIFFERENT lengths. transformers runs it padded (pad id 0, attention_mask); distilj runs it packed;
  * logits [rows, C] and the mean cross-entropy loss, from model.eval();
  * every parameter's gradient of that loss (dropout probabilities set to 0, model.train(), torch autograd).

Weights: the tiny fixtures store every tensor (.npy, a few hundred KB in all). The real-width fixture (768/3072/12
heads) would need ~30 MB per layer, so its weights are NOT stored: they are generated from a counter-based formula
that the Java test reproduces bit for bit (generated_weights() below, SplitMix64 on (seed, name hash, index)), and its
gradients are stored for every bias and LayerNorm tensor in full and, for each matrix, for a fixed subset of rows
(the ids and positions used by the batch plus a few unused ones for the embeddings; 16 evenly spaced rows for the
others), together with the full tensor's gradient norm. Rows of a weight gradient are independent dot products, so
the relative error over a subset of rows is a meaningful check of that tensor.
"""
import json
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import torch
import transformers

assert torch.__version__.split("+")[0] == "2.15.0", f"torch {torch.__version__}, expected 2.15.0"
assert transformers.__version__ == "5.24.0", f"transformers {transformers.__version__}, expected 5.24.0"

from transformers import (BertConfig, BertForSequenceClassification, DistilBertConfig,
                          DistilBertForSequenceClassification)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "model")
MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------- generated weights
def java_hash(s: str) -> int:
    """Java's String.hashCode (over UTF-16 code units), as a signed 32-bit int."""
    b = s.encode("utf-16-be")
    h = 0
    for i in range(0, len(b), 2):
        h = (31 * h + int.from_bytes(b[i:i + 2], "big")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= (1 << 31) else h


def splitmix_bits(seed: int, counter: np.ndarray) -> np.ndarray:
    """distilj.kernels.DropoutRng.bits(seed, counter) on uint64 arrays (wrapping arithmetic)."""
    z = np.uint64(seed & MASK64) + counter.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def generated_tensor(name: str, shape, base_seed: int) -> np.ndarray:
    """w_i = center + scale * (2u_i - 1), u_i = 24-bit uniform of bits(bits(base, hash(name)), i); in double, then float32."""
    n = int(np.prod(shape))
    s = int(splitmix_bits(base_seed, np.array([java_hash(name) & MASK64], dtype=np.uint64))[0])
    u = (splitmix_bits(s, np.arange(n, dtype=np.uint64)) >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    if "LayerNorm" in name or "layer_norm" in name:
        center, scale = (1.0, 0.1) if name.endswith(".weight") else (0.0, 0.05)
    elif name.endswith(".bias"):
        center, scale = 0.0, 0.02
    else:
        center, scale = 0.0, 0.04
    return (center + scale * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


# ----------------------------------------------------------------------------- helpers
def our_config(arch, c, num_labels):
    if arch == "DISTILBERT":
        return dict(arch=arch, vocabSize=c.vocab_size, hidden=c.dim, layers=c.n_layers, heads=c.n_heads,
                    ffn=c.hidden_dim, maxPositions=c.max_position_embeddings, typeVocabSize=0,
                    layerNormEps=1e-12, numLabels=num_labels, padTokenId=c.pad_token_id)
    return dict(arch=arch, vocabSize=c.vocab_size, hidden=c.hidden_size, layers=c.num_hidden_layers,
                heads=c.num_attention_heads, ffn=c.intermediate_size, maxPositions=c.max_position_embeddings,
                typeVocabSize=c.type_vocab_size, layerNormEps=c.layer_norm_eps, numLabels=num_labels,
                padTokenId=c.pad_token_id)


def padded(rows):
    L = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), L, dtype=torch.long)
    mask = torch.zeros(len(rows), L, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids, mask


def save(folder, name, arr):
    np.save(os.path.join(folder, name), arr)
    return name


def run_fixture(folder, model, arch, num_labels, rows, labels, store_weights, grad_rows_fn=None, extra=None):
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    ids, mask = padded(rows)
    lab = torch.tensor(labels, dtype=torch.long)

    assert model.config._attn_implementation == "eager", model.config._attn_implementation
    assert all(p.dtype == torch.float32 for p in model.parameters())
    model.eval()
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, labels=lab)
    logits = out.logits.numpy().astype(np.float32)
    loss_eval = float(out.loss)

    # Gradients with dropout off: every dropout probability is 0, the model in train mode.
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    model.train()
    model.zero_grad()
    out = model(input_ids=ids, attention_mask=mask, labels=lab)
    out.loss.backward()
    assert np.allclose(out.logits.detach().numpy(), logits, atol=1e-6), "train mode with p=0 differs from eval"

    flat = np.concatenate([np.array(r, dtype=np.int32) for r in rows])
    offsets = np.cumsum([0] + [len(r) for r in rows]).astype(np.int32)
    manifest = dict(config=our_config(arch, model.config, num_labels),
                    ids=save(folder, "ids.npy", flat), offsets=save(folder, "offsets.npy", offsets),
                    labels=save(folder, "labels.npy", np.array(labels, dtype=np.int32)),
                    logits=save(folder, "logits.npy", logits), loss=loss_eval, lossTrain=float(out.loss.detach()),
                    weightsGenerated=not store_weights, params=[])
    if extra:
        manifest.update(extra)
    for i, (name, p) in enumerate(model.named_parameters()):
        g = p.grad.detach().numpy().astype(np.float32)
        entry = dict(name=name, shape=list(p.shape), gradNorm=float(np.linalg.norm(g.astype(np.float64))))
        if store_weights:
            entry["data"] = save(folder, f"w{i:03d}.npy", p.detach().numpy().astype(np.float32))
        sel = grad_rows_fn(name, p) if grad_rows_fn else None
        if sel is None:
            entry["grad"] = save(folder, f"g{i:03d}.npy", g)
        else:
            entry["gradRows"] = save(folder, f"r{i:03d}.npy", np.array(sel, dtype=np.int32))
            entry["grad"] = save(folder, f"g{i:03d}.npy", g[sel])
        manifest["params"].append(entry)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    size = sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder))
    print(f"{folder}: {len(rows)} rows, lengths {[len(r) for r in rows]}, loss {loss_eval:.6f}, {size / 1e6:.2f} MB")


def perturb(model, seed):
    """Random values everywhere (not just transformers' init: biases and LayerNorm would be 0/1 and hide bugs)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                base = 1.0 if name.endswith(".weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def random_rows(gen, lengths, vocab):
    return [list(map(int, torch.randint(1, vocab, (n,), generator=gen))) for n in lengths]


# ----------------------------------------------------------------------------- fixtures
def tiny_distilbert():
    torch.manual_seed(1234)
    c = DistilBertConfig(vocab_size=99, dim=32, n_layers=3, n_heads=4, hidden_dim=37, max_position_embeddings=64,
                         num_labels=2, attn_implementation="eager")
    m = DistilBertForSequenceClassification(c).float()
    perturb(m, 11)
    g = torch.Generator().manual_seed(12)
    rows = random_rows(g, [7, 3, 12, 1, 9], c.vocab_size)
    run_fixture(os.path.join(OUT, "tiny-distilbert"), m, "DISTILBERT", 2, rows, [1, 0, 1, 1, 0], True)


def tiny_bert():
    torch.manual_seed(4321)
    c = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                   max_position_embeddings=64, type_vocab_size=2, hidden_act="gelu", num_labels=3,
                   attn_implementation="eager")
    m = BertForSequenceClassification(c).float()
    perturb(m, 21)
    g = torch.Generator().manual_seed(22)
    rows = random_rows(g, [5, 11, 2, 8], c.vocab_size)
    run_fixture(os.path.join(OUT, "tiny-bert"), m, "BERT", 3, rows, [2, 0, 1, 2], True)


def real_width_distilbert():
    base_seed = 20260516
    c = DistilBertConfig(vocab_size=1000, dim=768, n_layers=2, n_heads=12, hidden_dim=3072,
                         max_position_embeddings=512, num_labels=2, attn_implementation="eager")
    m = DistilBertForSequenceClassification(c).float()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.from_numpy(generated_tensor(name, tuple(p.shape), base_seed)))
    g = torch.Generator().manual_seed(32)
    rows = random_rows(g, [14, 5, 21, 2], c.vocab_size)
    used_ids = sorted(set(t for r in rows for t in r))
    max_len = max(len(r) for r in rows)

    def grad_rows(name, p):
        if p.dim() == 1:
            return None
        if name.endswith("word_embeddings.weight"):
            return sorted(set(used_ids) | {0, 1, 500, 999})  # unused rows must have a zero gradient
        if name.endswith("position_embeddings.weight"):
            return list(range(max_len + 3)) + [511]
        return sorted(set(np.linspace(0, p.shape[0] - 1, 16).astype(int).tolist()))

    run_fixture(os.path.join(OUT, "real-width-distilbert"), m, "DISTILBERT", 2, rows, [0, 1, 1, 0], False,
                grad_rows, extra=dict(generatorSeed=base_seed))


def minilm():
    src = os.path.join(ROOT, "weights", "all-MiniLM-L6-v2")
    if not os.path.exists(os.path.join(src, "model.safetensors")):
        print("MiniLM skipped: run bash weights/fetch-minilm.sh first", file=sys.stderr)
        return
    from transformers import AutoTokenizer
    torch.manual_seed(42)  # the newly initialised classifier
    m = BertForSequenceClassification.from_pretrained(src, num_labels=2, attn_implementation="eager",
                                                      torch_dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(src)
    texts = ["the rock is destined to be the 21st century's new conan.",
             "a gorgeous, witty, seductive movie.",
             "bad.",
             "it's so laddish and juvenile, only teenage boys could possibly find it funny.",
             "the story is gripping and the performances are uniformly excellent, though the ending drags on.",
             "hello, this text will be tokenized!",
             "an utterly charming and hilarious film that reminded me of why i love movies in the first place .",
             "no."]
    rows = [tok(t)["input_ids"] for t in texts]
    folder = os.path.join(OUT, "minilm")
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    ids, mask = padded(rows)
    assert m.config._attn_implementation == "eager", m.config._attn_implementation
    m.eval()
    with torch.no_grad():
        logits = m(input_ids=ids, attention_mask=mask).logits.numpy().astype(np.float32)
    flat = np.concatenate([np.array(r, dtype=np.int32) for r in rows])
    offsets = np.cumsum([0] + [len(r) for r in rows]).astype(np.int32)
    manifest = dict(config=our_config("BERT", m.config, 2), texts=texts,
                    ids=save(folder, "ids.npy", flat), offsets=save(folder, "offsets.npy", offsets),
                    logits=save(folder, "logits.npy", logits),
                    head={"classifier.weight": save(folder, "classifier.weight.npy",
                                                    m.classifier.weight.detach().numpy().astype(np.float32)),
                          "classifier.bias": save(folder, "classifier.bias.npy",
                                                  m.classifier.bias.detach().numpy().astype(np.float32))})
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{folder}: {len(rows)} rows, lengths {[len(r) for r in rows]}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    tiny_distilbert()
    tiny_bert()
    real_width_distilbert()
    minilm()
