#!/usr/bin/env python3
"""`faqbot nlu parse` as a process: start-up latency, streaming memory and throughput.

    bench/nlu_process_bench.py [--faqbot build/faqbot] [--runs 30] [--lines 1000000]
                               [--case all|startup|stream|throughput] [--data DIR]

Start-up: trains the sample bot (examples/office-faq.yml) once, then starts `faqbot nlu parse`
--runs times, writes one question and waits for the first JSON line (lexicon load included).
Prints median and p90 in milliseconds.
Streaming: peak resident memory of one `faqbot nlu parse` fed 10,000 lines and one fed --lines
lines; the two must be about the same.
Throughput: a model of 50 topics × 3 examples (the first 50 intents of HWU64's training split,
as bench/nlu_bench.cc), then `faqbot nlu parse` fed 20,000 HWU64 test questions (repeated) on
stdin with stdout read through a pipe, as ../shared/bench/nlu_eval.py runs it; the whole
process is timed, start-up included. Prints the median of --throughput-runs runs in lines per
second of wall time and per second of the process's CPU time (user + system).
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
    ap.add_argument("--case", choices=["all", "startup", "stream", "throughput"], default="all")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "hwu64"))
    ap.add_argument("--queries", type=int, default=20000)
    ap.add_argument("--throughput-runs", type=int, default=7)
    a = ap.parse_args()
    if a.case in ("all", "throughput"):
        throughput(a)
    if a.case == "throughput":
        return
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(d, "office.model")
        subprocess.run([a.faqbot, "nlu", "train", "--data", os.path.join(ROOT, "examples", "office-faq.yml"),
                        "--out", model], check=True)
        times = []
        for _ in range(a.runs if a.case in ("all", "startup") else 0):
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
        if times:
            times.sort()
            print("startup_ms median=%.1f p90=%.1f max=%.1f runs=%d" % (
                statistics.median(times), times[int(0.9 * (len(times) - 1))], times[-1], len(times)))
        for n in ((10000, a.lines) if a.case in ("all", "stream") else ()):
            print("stream lines=%d peak_rss_kb=%d seconds=%.2f" % ((n,) + peak_rss(a.faqbot, model, n)))


def read_split(data, split):
    with open(os.path.join(data, split, "seq.in"), encoding="utf-8") as t, \
            open(os.path.join(data, split, "label"), encoding="utf-8") as l:
        return [(text.strip(), label.strip()) for text, label in zip(t, l)]


def throughput(a):
    """Whole-process lines per second of `faqbot nlu parse` over a 50 × 3 model."""
    by_label = {}
    for text, label in read_split(a.data, "train"):
        by_label.setdefault(label, []).append(text)
    queries = [text for text, _ in read_split(a.data, "test")]
    lines = "".join(queries[i % len(queries)] + "\n" for i in range(a.queries)).encode()
    with tempfile.TemporaryDirectory() as d:
        data, model = os.path.join(d, "topics.yml"), os.path.join(d, "topics.model")
        with open(data, "w", encoding="utf-8") as f:
            f.write('version: "3.1"\nnlu:\n')
            for label in sorted(by_label)[:50]:
                f.write("- intent: %s\n  examples: |\n" % label)
                for text in by_label[label][:3]:
                    f.write("    - %s\n" % " ".join(text.split()))
        subprocess.run([a.faqbot, "nlu", "train", "--data", data, "--out", model], check=True)
        seconds, cpu = [], []
        for _ in range(a.throughput_runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            r = subprocess.run([a.faqbot, "nlu", "parse", "--model", model], input=lines,
                               capture_output=True, check=True)
            seconds.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            assert r.stdout.count(b"\n") == a.queries, r.stderr
        s, c = statistics.median(seconds), statistics.median(cpu)
        # CPU seconds of the process too: on a shared machine wall time includes waiting for a core.
        print("throughput queries=%d median_s=%.3f min_s=%.3f lines_per_s=%d cpu_s=%.3f "
              "lines_per_cpu_s=%d runs=%d" % (a.queries, s, min(seconds), a.queries / s, c,
                                              a.queries / c, len(seconds)))


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
