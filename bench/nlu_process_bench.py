#!/usr/bin/env python3
"""`faqbot nlu parse` as a process: start-up latency and streaming memory.

    bench/nlu_process_bench.py [--faqbot build/faqbot] [--runs 30] [--lines 1000000]

Start-up: trains the sample bot (examples/office-faq.yml) once, then starts `faqbot nlu parse`
--runs times, writes one question and waits for the first JSON line (lexicon load included).
Prints median and p90 in milliseconds.
Streaming: peak resident memory of one `faqbot nlu parse` fed 10,000 lines and one fed --lines
lines; the two must be about the same.
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faqbot", default=os.path.join(ROOT, "build", "faqbot"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--lines", type=int, default=1000000)
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
        for n in (10000, a.lines):
            print("stream lines=%d peak_rss_kb=%d seconds=%.2f" % ((n,) + peak_rss(a.faqbot, model, n)))


def peak_rss(faqbot, model, lines):
    """Runs parse over `lines` generated queries in a fresh helper process; its child's peak RSS."""
    code = """
import resource, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
t0 = time.perf_counter()
chunk = b"".join(b"where can visitors park their car number %d\\n" % i for i in range(10000))
for _ in range(LINES // 10000):
    p.stdin.write(chunk)
p.stdin.close()
p.wait()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t0)
""".replace("LINES", str(lines))
    out = subprocess.run(["python3", "-c", code, faqbot, "nlu", "parse", "--model", model],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1])


if __name__ == "__main__":
    main()
