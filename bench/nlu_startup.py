#!/usr/bin/env python3
"""Start-up latency of `faqbot nlu parse`: process start (lexicon load included) to first answer.

    bench/nlu_startup.py [--faqbot build/faqbot] [--runs 30]

Trains the sample bot (examples/office-faq.yml) once, then starts `faqbot nlu parse` --runs times,
writes one question and waits for the first JSON line. Prints median and p90 in milliseconds.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faqbot", default=os.path.join(ROOT, "build", "faqbot"))
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(d, "office.model")
        subprocess.run([a.faqbot, "nlu", "train", "--data", os.path.join(ROOT, "examples", "office-faq.yml"),
                        "--out", model], check=True)
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            p = subprocess.Popen([a.faqbot, "nlu", "parse", "--model", model, "--flush"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            p.stdin.write("where can visitors park?\n")
            p.stdin.flush()
            line = p.stdout.readline()
            times.append((time.perf_counter() - t0) * 1000.0)
            p.stdin.close()
            p.wait()
            assert '"visitor_parking"' in line, line
        times.sort()
        print("startup_ms median=%.1f p90=%.1f max=%.1f runs=%d" % (
            statistics.median(times), times[int(0.9 * (len(times) - 1))], times[-1], len(times)))


if __name__ == "__main__":
    main()
