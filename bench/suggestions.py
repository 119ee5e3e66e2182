#!/usr/bin/env python3
"""How useful the suggestions under a declined question are (docs/assistant.md, "Suggestions to
the asker"): bots of --topics topics × --shots phrasings built as nlu_eval.py's episodes build
them, asked the validation split's questions of their topics plus as many questions of other
intents and as many out-of-scope questions (where the set has them); for each question the engine declines, which of its ranked
topics (at most 3) reach a confidence threshold. Prints, per threshold: the share of declined
in-scope questions whose right topic is among the suggestions, the share that get any, and the
share of declined out-of-scope questions that get any.

  python3 bench/suggestions.py --set banking77-oos|hwu64 [--sut "build/faqbot nlu"]
                               [--topics 10] [--shots 1] [--episodes 10] [--seed 7]

Reads ../shared/data (train/ and valid/, and for banking77-oos id-oos/valid and ood-oos/valid).

With --full DATA_DIR, one big bot instead: every intent of any set the judge reads
(../shared/bench/nlu_eval.py's loader and its full protocol: --shots phrasings per intent drawn
with --seed, 0 for every example), asked the set's test questions and out-of-scope questions
from DATA_DIR (e.g. --set clinc150 --full DIR --shots 3).
"""
import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLDS = (0.1, 0.2, 0.3)


def read_split(folder):
    if not os.path.isdir(folder):
        return []
    with open(os.path.join(folder, "seq.in"), encoding="utf-8") as f:
        texts = f.read().split("\n")
    labels = texts
    if os.path.exists(os.path.join(folder, "label")):
        with open(os.path.join(folder, "label"), encoding="utf-8") as f:
            labels = f.read().split("\n")
    return [(t, l) for t, l in zip(texts, labels) if t.strip()]


def write_yaml(path, examples_by_topic):
    with open(path, "w", encoding="utf-8") as f:
        f.write('version: "3.1"\nnlu:\n')
        for topic, examples in examples_by_topic.items():
            f.write("- intent: %s\n  examples: |\n" % topic)
            for e in examples:
                f.write("    - %s\n" % " ".join(e.split()))  # block scalar lines are literal


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True)
    ap.add_argument("--sut", default=os.path.join(HERE, "..", "build", "faqbot") + " nlu")
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"))
    ap.add_argument("--topics", type=int, default=10)
    ap.add_argument("--shots", type=int, default=1)
    ap.add_argument("--episodes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--full", metavar="DATA_DIR", help="one bot of every intent of the set")
    a = ap.parse_args()
    counts = {t: [0, 0, 0] for t in THRESHOLDS}  # right among them, any, any for out-of-scope
    declined = [0, 0]  # in scope, out of scope
    if a.full:
        sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "bench"))
        import nlu_eval  # the judge's loader, so the bot is the one its full protocol builds
        ds = nlu_eval.load_set(a.set, a.full)
        rng = random.Random(a.seed)
        by_label = {}
        for t, l in ds["train"]:
            by_label.setdefault(l, []).append(t)
        examples = {l: (ex if a.shots <= 0 else rng.sample(ex, min(a.shots, len(ex))))
                    for l, ex in by_label.items()}
        asked = [(t, l) for t, l in ds["test"] if l in examples]
        asked += [(t, None) for t in ds["oos_test"] + ds["near_test"]]
        count_suggestions(a.sut, examples, asked, counts, declined)
        report("%s, one bot of %d intents x %s" % (a.set, len(examples), a.shots or "every"),
               counts, declined)
        return
    root = os.path.join(a.data, a.set)
    train, valid = {}, {}
    for t, l in read_split(os.path.join(root, "train")):
        train.setdefault(l, []).append(t)
    for t, l in read_split(os.path.join(root, "valid")):
        valid.setdefault(l, []).append(t)
    oos = [t for d in ("id-oos/valid", "ood-oos/valid") for t, _ in
           read_split(os.path.join(root, d))]
    labels = sorted(l for l in train if l in valid)
    for e in range(a.episodes):
        rng = random.Random(a.seed * 1000 + e)
        chosen = rng.sample(labels, min(a.topics, len(labels)))
        topic_of = {l: "topic_%d" % i for i, l in enumerate(chosen)}
        examples = {topic_of[l]: rng.sample(train[l], min(a.shots, len(train[l])))
                    for l in chosen}
        asked = [(t, topic_of[l]) for l in chosen for t in valid[l]]
        n_in = len(asked)
        others = [t for l in labels if l not in topic_of for t in valid[l]]
        asked += [(t, None) for t in rng.sample(others, min(len(others), n_in))]
        asked += [(t, None) for t in rng.sample(oos, min(len(oos), n_in))]
        count_suggestions(a.sut, examples, asked, counts, declined)
    report("%s, %d episodes of %d topics x %d" % (a.set, a.episodes, a.topics, a.shots), counts,
           declined)


def count_suggestions(sut, examples, asked, counts, declined):
    """Trains `examples` ({topic: [text]}), asks `asked` ([(text, topic or None)]) and adds, per
    threshold, what the declined questions would be shown."""
    with tempfile.TemporaryDirectory() as w:
        write_yaml(os.path.join(w, "topics.yml"), examples)
        model = os.path.join(w, "model")
        subprocess.run(shlex.split(sut) + ["train", "--data", os.path.join(w, "topics.yml"),
                                           "--out", model], check=True, capture_output=True)
        out = subprocess.run(shlex.split(sut) + ["parse", "--model", model], check=True,
                             capture_output=True, text=True,
                             input="".join(" ".join(q.split()) + "\n" for q, _ in asked))
    for line, (_, gold) in zip(out.stdout.splitlines(), asked):
        parsed = json.loads(line)
        if parsed["intent"]["name"] != "nlu_fallback":
            continue
        ranked = [r for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"][:3]
        declined[0 if gold is not None else 1] += 1
        for t in THRESHOLDS:
            shown = [r["name"] for r in ranked if r["confidence"] >= t]
            if gold is None:
                counts[t][2] += bool(shown)
            else:
                counts[t][0] += gold in shown
                counts[t][1] += bool(shown)


def report(what, counts, declined):
    pct = lambda n, d: 100.0 * n / d if d else 0.0
    print("%s: %d declined in scope, %d declined out of scope" % (what, declined[0], declined[1]))
    for t in THRESHOLDS:
        right, shown, shown_out = counts[t]
        print("threshold %.1f: right topic suggested %.1f %%, any suggested %.1f %%; out of scope "
              "given suggestions %.1f %%" % (t, pct(right, declined[0]), pct(shown, declined[0]),
                                             pct(shown_out, declined[1])))


if __name__ == "__main__":
    main()
