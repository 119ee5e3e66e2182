#!/usr/bin/env python3
"""A reference for the engine's classifier head: a plain TF-IDF multinomial logistic regression,
trained to convergence, on a data set's whole training split, scored by top-1 accuracy on its
validation split (in-scope questions only). docs/nlu.md compares the head's top-1 with this.

Features (lower-cased runs of letters and digits): w = words, b = adjacent word pairs, c = the
character 3-, 4- and 5-grams of each word (with boundary marks); any combination ("w", "wb",
"wc"). Sublinear term frequency, smoothed IDF over the training split, unit length. Training:
full-batch gradient with Adam (rate 0.1), L2 penalty --l2, --iterations passes; deterministic.

  python3 bench/bow_reference.py --set hwu64 [--features w] [--l2 1e-5] [--iterations 300]

Needs numpy (`make bench-deps`: python3-numpy) and the data sets of ../shared/data.
"""
import argparse
import os
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def read_split(folder):
    with open(os.path.join(folder, "seq.in"), encoding="utf-8") as f:
        texts = f.read().split("\n")
    with open(os.path.join(folder, "label"), encoding="utf-8") as f:
        labels = f.read().split("\n")
    return [(t, l) for t, l in zip(texts, labels) if t.strip()]


def features(text, kinds):
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = []
    if "w" in kinds:
        out += ["w:" + w for w in words]
    if "b" in kinds:
        out += ["b:" + a + "_" + b for a, b in zip(words, words[1:])]
    if "c" in kinds:
        for w in words:
            w = "<" + w + ">"
            out += ["c:" + w[i:i + n] for n in (3, 4, 5) for i in range(len(w) - n + 1)]
    return out


class Sparse:
    """Rows of (column, value) pairs, kept both by row and by column for the two products."""

    def __init__(self, rows, cols, vals, n_rows):
        self.rows, self.cols, self.vals, self.n = rows, cols, vals, n_rows
        self.row_starts = np.searchsorted(rows, np.arange(n_rows))
        self.empty_rows = np.diff(np.append(self.row_starts, len(rows))) == 0
        self.by_col = np.argsort(cols, kind="stable")
        self.cols_sorted = cols[self.by_col]

    def times(self, w):  # X @ W
        products = w[self.cols] * self.vals[:, None]
        out = np.add.reduceat(products, np.minimum(self.row_starts, len(self.rows) - 1), axis=0)
        out[self.empty_rows] = 0
        return out

    def transposed_times(self, r, n_cols):  # X.T @ R
        products = (r[self.rows] * self.vals[:, None])[self.by_col]
        cols, starts = np.unique(self.cols_sorted, return_index=True)
        out = np.zeros((n_cols, r.shape[1]), np.float32)
        out[cols] = np.add.reduceat(products, starts, axis=0)
        return out


def vectorise(texts, kinds, vocab=None, idf=None):
    fit = vocab is None
    if fit:
        vocab = {}
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        counts = {}
        for f in features(text, kinds):
            j = vocab.get(f)
            if j is None:
                if not fit:
                    continue
                j = vocab[f] = len(vocab)
            counts[j] = counts.get(j, 0) + 1
        for j, c in sorted(counts.items()):
            rows.append(i)
            cols.append(j)
            vals.append(np.log1p(c))
    rows, cols = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    vals = np.array(vals, np.float32)
    if fit:
        df = np.bincount(cols, minlength=len(vocab))
        idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    vals *= idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=len(texts)))
    vals /= np.maximum(norms[rows], 1e-9).astype(np.float32)
    return Sparse(rows, cols, vals, len(texts)), vocab, idf


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True, help="hwu64 | banking77-oos (a seq.in/label layout)")
    ap.add_argument("--features", default="w")
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--data-dir", default=os.path.join(HERE, "..", "..", "shared", "data"))
    a = ap.parse_args()
    train = read_split(os.path.join(a.data_dir, a.set, "train"))
    valid = read_split(os.path.join(a.data_dir, a.set, "valid"))
    labels = sorted({l for _, l in train})
    index = {l: i for i, l in enumerate(labels)}
    valid = [(t, l) for t, l in valid if l in index]
    x, vocab, idf = vectorise([t for t, _ in train], a.features)
    xv, _, _ = vectorise([t for t, _ in valid], a.features, vocab, idf)
    y = np.eye(len(labels), dtype=np.float32)[[index[l] for _, l in train]]
    yv = np.array([index[l] for _, l in valid])
    w = np.zeros((len(vocab), len(labels)), np.float32)
    b = np.zeros(len(labels), np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for it in range(1, a.iterations + 1):
        z = x.times(w) + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.transposed_times(p - y, len(vocab)) / x.n + a.l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.1 * (m / (1 - 0.9 ** it)) / (np.sqrt(v / (1 - 0.999 ** it)) + 1e-8)
        b -= 0.1 * (p - y).mean(axis=0)
    top1 = float(((xv.times(w) + b).argmax(axis=1) == yv).mean()) * 100
    print("%s features=%s l2=%g iterations=%d terms=%d valid top-1 %.2f" %
          (a.set, a.features, a.l2, a.iterations, len(vocab), top1))


if __name__ == "__main__":
    main()
