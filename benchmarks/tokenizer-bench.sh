#!/usr/bin/env bash
# Tokenizer speed, one thread: distilj's BertTokenizer (JMH, benchmarks/src/main/java/distilj/bench/TokenizerBench.java)
# against the Hugging Face fast tokenizer (Rust tokenizers 0.23.3, benchmarks/tokenizer_bench_hf.py) on the same
# 10,662 rotten_tomatoes sentences and the same uncased vocabulary. Prints a table and writes JSON to
# target/bench/tokenizer.json.
#
#   bash benchmarks/tokenizer-bench.sh        (on a shared machine: flock /work/bench.lock bash benchmarks/tokenizer-bench.sh)
#
# Env: PYTHON (default: the .venv made by scripts/python-env.sh), HF_SECONDS (measuring time per HF way, 20),
#      JMH_ARGS (extra JMH options, e.g. "-wi 2 -i 3" for a quick look).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  PYTHON="$(bash scripts/python-env.sh)"   # .venv with the pinned reference stack
fi
out=target/bench
mkdir -p "$out/tokenizer-model"
# The model folder both sides load: the uncased vocabulary and an uncased tokenizer_config.json.
cp src/test/resources/fixtures/tokenizer/uncased-vocab.txt "$out/tokenizer-model/vocab.txt"
echo '{"do_lower_case": true, "model_max_length": 512}' > "$out/tokenizer-model/tokenizer_config.json"

echo "== building (mvn -q test-compile)" >&2
mvn -B -q test-compile >&2
m2="${M2_REPO:-$HOME/.m2/repository}"
jar() { ls "$m2/$1" | head -1; }
cp="target/classes:target/test-classes"
for j in org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar \
         org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar \
         'com/fasterxml/jackson/core/jackson-databind/2.19.2/jackson-databind-2.19.2.jar' \
         'com/fasterxml/jackson/core/jackson-core/2.19.2/jackson-core-2.19.2.jar' \
         'com/fasterxml/jackson/core/jackson-annotations/2.19.2/jackson-annotations-2.19.2.jar'; do
  [ -f "$m2/$j" ] || { echo "tokenizer-bench: missing $m2/$j (run mvn -B test-compile online once)" >&2; exit 1; }
  cp="$cp:$m2/$j"
done

echo "== Hugging Face fast tokenizer (1 thread)" >&2
"$PYTHON" benchmarks/tokenizer_bench_hf.py --model "$out/tokenizer-model" --seconds "${HF_SECONDS:-20}" > "$out/tokenizer-hf.json"

echo "== distilj (JMH, 1 thread)" >&2
java -cp "$cp" org.openjdk.jmh.Main 'distilj.bench.TokenizerBench' -t 1 \
  -jvmArgsAppend "-Ddistilj.vocab=$out/tokenizer-model/vocab.txt" \
  -rf json -rff "$out/tokenizer-jmh.json" ${JMH_ARGS:-} >&2

"$PYTHON" - "$out" <<'PY'
import json, os, platform, subprocess, sys
out = sys.argv[1]
hf = json.load(open(os.path.join(out, "tokenizer-hf.json")))
jmh = json.load(open(os.path.join(out, "tokenizer-jmh.json")))
tokens = hf["tokens_per_pass"]
rows = []
for name, s in hf["seconds_per_pass"].items():
    rows.append(("hf tokenizers " + hf["versions"]["tokenizers"] + " " + name, s * 1e3, tokens / s))
java = {}
for b in jmh:
    name = b["benchmark"].rsplit(".", 1)[1]
    ms = b["primaryMetric"]["score"]
    java[name] = ms
    rows.append(("distilj " + name, ms, tokens / (ms / 1e3)))
best_hf = max(tokens / s for s in hf["seconds_per_pass"].values())
ratio = tokens / (java["encodeEach"] / 1e3) / best_hf
print(f"{'tokenizer (1 thread, 10,662 sentences, %d tokens)' % tokens:<52} {'ms/pass':>9} {'M tokens/s':>11}")
for n, ms, tps in rows:
    print(f"{n:<52} {ms:>9.1f} {tps / 1e6:>11.2f}")
print(f"ratio distilj encodeEach / fastest HF way: {ratio:.2f}x")
cpu = ""
try:
    cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
except Exception:
    pass
res = {"sentences": hf["sentences"], "tokens_per_pass": tokens, "hf_versions": hf["versions"],
       "hf_seconds_per_pass": hf["seconds_per_pass"], "distilj_ms_per_pass": java,
       "hf_best_tokens_per_s": best_hf, "distilj_tokens_per_s": tokens / (java["encodeEach"] / 1e3),
       "ratio": ratio, "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
       "os": platform.platform(), "cpu": cpu, "load_avg": os.getloadavg()}
json.dump(res, open(os.path.join(out, "tokenizer.json"), "w"), indent=1)
print(json.dumps(res))
PY
