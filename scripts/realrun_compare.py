"""Puts the two sides of the real run (issue 7) next to each other.

Reads the distilj run folder (trainer_state.json: log_history as the Trainer writes it) and the transformers side's
JSON (written by scripts/hf_real_run.py); writes a small summary of the distilj side to
benchmarks/results/realrun-distilj.json; prints both epoch tables side by side, the final accuracy difference (in
points) and the throughput of each side. Standard library only.

  python3 scripts/realrun_compare.py --run runs/minilm-rt --distilj-wall SECONDS [--hf benchmarks/results/realrun-hf.json]
"""
import argparse
import json
import os


def epoch_table(log_history):
    """(epoch, training loss or None, validation loss, accuracy) per evaluation; the training loss column is the
    last logged mean loss at or before the evaluation ("No log" before the first log), as the Trainer's table."""
    rows, last_loss = [], None
    for e in log_history:
        if "loss" in e:
            last_loss = e["loss"]
        if "eval_loss" in e:
            rows.append({"epoch": round(e["epoch"]), "training_loss": last_loss, "eval_loss": e["eval_loss"],
                         "eval_accuracy": e["eval_accuracy"]})
    return rows


def summary_entry(log_history):
    for e in reversed(log_history):
        if "train_runtime" in e:
            return e
    return {}


def cell(x, fmt="{:.4f}"):
    return "No log" if x is None else fmt.format(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="runs/minilm-rt")
    ap.add_argument("--hf", default="benchmarks/results/realrun-hf.json")
    ap.add_argument("--out", default="benchmarks/results/realrun-distilj.json")
    ap.add_argument("--distilj-wall", type=float, required=True, help="wall time of the distilj command, seconds")
    ap.add_argument("--note", default=None, help="free text stored with the distilj summary (e.g. machine load)")
    a = ap.parse_args()

    # metrics.jsonl is appended after every log and evaluation, so it also holds a run stopped early;
    # trainer_state.json appears at the top of the folder only when the run finished.
    state_file = os.path.join(a.run, "trainer_state.json")
    state = {}
    if os.path.exists(state_file):
        with open(state_file) as f:
            state = json.load(f)
    with open(os.path.join(a.run, "metrics.jsonl")) as f:
        log = [json.loads(line) for line in f if line.strip()]
    ours = {
        "side": "distilj",
        "finished": bool(state),
        "run": a.run,
        "epoch_table": epoch_table(log),
        "train_output": ({"global_step": state.get("global_step")} | {
            k: v for k, v in summary_entry(log).items() if k != "step"}) if state else None,
        "wall_seconds": a.distilj_wall,
        "log_history": log,
    }
    if "distilj" in state:
        ours["distilj"] = state["distilj"]
    if a.note:
        ours["note"] = a.note
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ours, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.out)

    hf = None
    if os.path.exists(a.hf):
        with open(a.hf) as f:
            hf = json.load(f)

    print()
    print("             distilj                                   |  transformers.Trainer")
    print("Epoch | Train loss | Val loss | Accuracy               | Train loss | Val loss | Accuracy")
    n = max(len(ours["epoch_table"]), len(hf["epoch_table"]) if hf else 0)
    for i in range(n):
        o = ours["epoch_table"][i] if i < len(ours["epoch_table"]) else None
        h = hf["epoch_table"][i] if hf and i < len(hf["epoch_table"]) else None
        left = (f"{cell(o['training_loss']):>10} | {o['eval_loss']:8.4f} | {o['eval_accuracy']:8.4f}"
                if o else f"{'':>10} | {'':>8} | {'':>8}")
        right = (f"{cell(h['training_loss']):>10} | {h['eval_loss']:8.4f} | {h['eval_accuracy']:8.4f}" if h else "")
        print(f"{i + 1:>5} | {left}               | {right}")
    print()

    def line(name, d):
        t = d["train_output"]
        if not t:
            print(f"{name:<22} stopped early after {len(d['epoch_table'])} epoch(s) of 5; wall {d['wall_seconds']:.1f} s")
            return
        print(f"{name:<22} train_runtime {t.get('train_runtime', float('nan')):8.1f} s, "
              f"{t.get('train_samples_per_second', float('nan')):6.2f} samples/s, "
              f"{t.get('train_steps_per_second', float('nan')):6.3f} steps/s, "
              f"training_loss {t.get('training_loss', t.get('train_loss', float('nan'))):.4f}, wall {d['wall_seconds']:.1f} s")

    line("distilj", ours)
    if hf:
        line("transformers.Trainer", hf)
        k = min(len(ours["epoch_table"]), len(hf["epoch_table"]))
        if k:
            # The last epoch both sides reached: the final one when both ran the whole recipe.
            a_o = ours["epoch_table"][k - 1]["eval_accuracy"]
            a_h = hf["epoch_table"][k - 1]["eval_accuracy"]
            d = 100 * (a_o - a_h)
            both_done = ours["train_output"] and hf["train_output"]
            what = "final test accuracy" if both_done else f"test accuracy after epoch {k} (runs stopped early)"
            verdict = ("within" if abs(d) <= 1.0 else "OUTSIDE") + " ±1 point"
            print(f"{what}: distilj {a_o:.4f}, transformers {a_h:.4f}: difference {d:+.2f} points ({verdict})")
    else:
        print(f"(no {a.hf}: run scripts/hf_real_run.py for the transformers side)")
    print("wrote " + a.out)


if __name__ == "__main__":
    main()
