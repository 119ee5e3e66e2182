#!/usr/bin/env python3
"""Why banking77-oos's in-domain out-of-scope questions are hard to decline (docs/nlu.md).

1. Its labels against the original BANKING77's: every question of banking77-oos's train, valid
   and test splits is looked up, lower-cased, in BANKING77's train.csv and test.csv; how many
   carry another label there, and how many of those are BANKING77 questions of the 27 intents
   banking77-oos holds out (the ones a bot must decline).
2. Near copies: how many id-oos test questions have a training question at TF-IDF cosine above
   0.7 (words, as bow_reference.py computes them), per held-out intent; in-scope test questions
   for comparison.
3. With --engine (a faqbot binary): one model of every training question, `faqbot nlu train` /
   `parse` over the test split; how many id-oos and ood-oos questions it answers (and above 0.9),
   how many in-scope questions it guesses right first and of those declines, and what it
   guesses for `passcode_forgotten`.

  python3 bench/banking77_oos_labels.py [--engine build/faqbot]

Needs numpy (`make bench-deps`) and the data sets of ../shared/data. Deterministic.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bow_reference import read_split, vectorise  # noqa: E402


def dense(sparse, n_cols):
    m = np.zeros((sparse.n, n_cols), np.float32)
    m[sparse.rows, sparse.cols] = sparse.vals
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.path.join(HERE, "..", "..", "shared", "data"))
    ap.add_argument("--engine", help="a faqbot binary: also report the engine's answers")
    a = ap.parse_args()
    d = os.path.join(a.data_dir, "banking77-oos")

    original = {}
    for name in ("train.csv", "test.csv"):
        with open(os.path.join(a.data_dir, "banking77", name), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                original[row["text"].strip().lower()] = row["category"]
    # The id-oos questions with their real intents (4 lines of its seq.in are empty: both files
    # are read together so that the two stay aligned).
    id_oos_dir = os.path.join(d, "id-oos", "test")
    with open(os.path.join(id_oos_dir, "seq.in"), encoding="utf-8") as f:
        texts = f.read().split("\n")
    with open(os.path.join(id_oos_dir, "label_original"), encoding="utf-8") as f:
        originals = f.read().split("\n")
    id_oos = [(t, l.strip()) for t, l in zip(texts, originals) if t.strip()]
    id_oos_labels = [l for _, l in id_oos]
    held_out = set(id_oos_labels)

    print("1. labels against BANKING77's")
    for split in ("train", "valid", "test"):
        rows = read_split(os.path.join(d, split))
        differ = [(l, original[t.strip().lower()]) for t, l in rows
                  if t.strip().lower() in original and original[t.strip().lower()] != l]
        print("  %-5s %5d questions, %4d labelled otherwise in BANKING77, %3d of them a held-out "
              "intent's" % (split, len(rows), len(differ), sum(o in held_out for _, o in differ)))
        if split == "train":
            for (label, orig), n in collections.Counter(differ).most_common(5):
                print("        %2d BANKING77 %s labelled %s" % (n, orig, label))

    train = read_split(os.path.join(d, "train"))
    in_scope = read_split(os.path.join(d, "test"))
    x, vocab, idf = vectorise([t for t, _ in train], "w")
    x = dense(x, len(vocab))

    def nearest(texts):
        q, _, _ = vectorise(texts, "w", vocab, idf)
        sim = dense(q, len(vocab)) @ x.T
        return sim.max(axis=1)

    near = nearest([t for t, _ in id_oos]) > 0.7
    print("2. near copies (a training question at cosine > 0.7)")
    print("  id-oos test: %d of %d" % (int(near.sum()), len(id_oos)))
    per_intent = collections.Counter(l for l, n in zip(id_oos_labels, near) if n)
    for label, n in per_intent.most_common(5):
        print("    %-30s %2d of %d" % (label, n, id_oos_labels.count(label)))
    print("  in-scope test: %d of %d" % (int((nearest([t for t, _ in in_scope]) > 0.7).sum()),
                                         len(in_scope)))

    if not a.engine:
        return
    ood = read_split(os.path.join(d, "ood-oos", "test"))
    by_label = collections.defaultdict(list)
    for t, l in train:
        by_label[l].append(t)
    queries = [(t, l, "in") for t, l in in_scope] + \
              [(t, l, "id") for t, l in id_oos] + \
              [(t, None, "ood") for t, _ in ood]
    with tempfile.TemporaryDirectory() as work:
        data, model = os.path.join(work, "train.yml"), os.path.join(work, "model")
        with open(data, "w", encoding="utf-8") as f:
            f.write('version: "3.1"\nnlu:\n')
            for label, examples in by_label.items():
                f.write("- intent: %s\n  examples: |\n" % label)
                f.writelines("    - %s\n" % " ".join(e.split()) for e in examples)
        subprocess.run([a.engine, "nlu", "train", "--data", data, "--out", model], check=True,
                       capture_output=True)
        out = subprocess.run([a.engine, "nlu", "parse", "--model", model], check=True, text=True,
                             capture_output=True,
                             input="".join(" ".join(t.split()) + "\n" for t, _, _ in queries))
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    counts = collections.Counter()
    passcode = collections.Counter()
    for (_, label, kind), answer in zip(queries, answers):
        ranking = [r for r in answer["intent_ranking"] if r["name"] != "nlu_fallback"]
        first = ranking[0] if ranking else {"name": None, "confidence": 0.0}
        answered = answer["intent"]["name"] != "nlu_fallback"
        counts[kind] += 1
        if kind == "in":
            right = first["name"] == label
            counts["in right first"] += right
            counts["in right first, declined"] += right and not answered
            counts["in answered right"] += answered and right
        else:
            counts[kind + " answered"] += answered
            counts[kind + " answered above 0.9"] += answered and first["confidence"] > 0.9
        if kind == "id" and label == "passcode_forgotten":
            passcode["questions"] += 1
            passcode["first guess declined_cash_withdrawal"] += \
                first["name"] == "declined_cash_withdrawal"
            passcode["answered declined_cash_withdrawal"] += \
                answer["intent"]["name"] == "declined_cash_withdrawal"
    print("3. the engine (%s), one model of every training question" % a.engine)
    print("  id-oos: %d questions, %d answered, %d of them above 0.9" %
          (counts["id"], counts["id answered"], counts["id answered above 0.9"]))
    print("  ood-oos: %d questions, %d answered" % (counts["ood"], counts["ood answered"]))
    print("  in-scope: %d questions, first guess right %d, of those declined %d; answered right "
          "%d" % (counts["in"], counts["in right first"], counts["in right first, declined"],
                  counts["in answered right"]))
    print("  passcode_forgotten: %s" % dict(passcode))


if __name__ == "__main__":
    main()
