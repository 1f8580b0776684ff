"""Differential check of distilj's safetensors reader against the reference implementation (safetensors 0.8.0).

    mvn -B -o test -Dtest=SafeTensorsFuzzTest -Ddistilj.fuzz.seed=1 -Ddistilj.fuzz.cases=3000 -Ddistilj.fuzz.corpus=/tmp/st-corpus
    /work/venv/bin/python scripts/fuzz_differential.py /tmp/st-corpus

For every generated file, the reference opens it and reads every tensor; its verdict (ok / reject) is compared with
the Java verdict in java-verdicts.tsv. Disagreements are listed by kind with both reasons.
"""
import collections
import os
import sys

import safetensors
import torch
from safetensors import safe_open

assert safetensors.__version__ == "0.8.0", safetensors.__version__

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/st-corpus"
rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(d, "java-verdicts.tsv"))]
agree = 0
diffs = collections.defaultdict(list)
for name, kind, java, java_reason in rows:
    path = os.path.join(d, name)
    try:
        with safe_open(path, framework="pt") as f:
            for k in f.keys():
                f.get_tensor(k)
        py, why = "ok", ""
    except Exception as e:  # the reference raises SafetensorError and friends
        py, why = "reject", (type(e).__name__ + ": " + str(e).splitlines()[0] if str(e) else type(e).__name__)[:110]
    if py == java:
        agree += 1
    else:
        diffs[(kind, java, py)].append((name, java_reason, why))
print(f"{len(rows)} files: {agree} same verdict, {len(rows) - agree} different")
for (kind, java, py), items in sorted(diffs.items(), key=lambda kv: -len(kv[1])):
    print(f"\n{len(items)} x {kind}: java {java}, reference {py}")
    seen = set()
    for name, jr, pr in items:
        key = (jr, pr[:60])
        if key in seen:
            continue
        seen.add(key)
        print(f"   {name}: java '{jr}' | reference '{pr}'")
        if len(seen) >= 6:
            break
