#!/usr/bin/env python3
"""Peak memory of reading deeply nested Rasa YAML, which the reader refuses before yaml-cpp
builds it (docs/nlu.md, "Bad input"). Two measurements:

  1. `faqbot nlu train` on 1 MiB files: nested "[", nested "{a: ", and, for scale, a valid Rasa
     file of the same size — peak RSS of each process (GNU time's %M).
  2. `faqbot serve` (SQLite in a temporary folder, port 18990 unless --port): 16 requests at once
     to PUT /api/v1/topics, each a 1 MiB body of nested "[" — the server's RSS before, at its peak
     (sampled every 20 ms) and after.

    python3 bench/yaml_memory.py [BUILD_DIR] [--port N]      (default: build)
"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.request

args = [a for a in sys.argv[1:] if not a.startswith("--")]
BUILD = args[0] if args else "build"
PORT = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 18990
FAQBOT = os.path.join(BUILD, "faqbot")
MIB = 1 << 20


def valid_rasa_file():
    lines = ['version: "3.1"', "nlu:"]
    size, i = 0, 0
    while size < MIB:
        block = ["- intent: topic_%d" % i, "  examples: |"] + [
            "    - how do I do thing number %d, variant %d" % (i, k) for k in range(5)]
        lines += block
        size += sum(len(l) + 1 for l in block)
        i += 1
    return "\n".join(lines) + "\n"


def peak_rss_mb(argv):
    # Through GNU time (`make bench-deps`): a child forked from this Python would count Python's
    # own pages in its peak before it execs.
    with tempfile.NamedTemporaryFile("r") as out:
        r = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M", *argv],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           errors="replace")
        return int(out.read().split()[-1]) / 1024, r.returncode, r.stderr.strip()


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def request(method, path, body, headers):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (PORT, path), data=body,
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


with tempfile.TemporaryDirectory() as work:
    files = {
        'nested "["': 'nlu: ' + "[" * (MIB - 5),
        'nested "{a: "': 'nlu:\n' + "{a: " * ((MIB - 5) // 4),
        "valid Rasa file": valid_rasa_file(),
    }
    print("1. faqbot nlu train on 1 MiB files (peak RSS of the process):")
    for name, text in files.items():
        path = os.path.join(work, "f.yml")
        with open(path, "w") as f:
            f.write(text)
        mb, code, err = peak_rss_mb([FAQBOT, "nlu", "train", "--data", path,
                                     "--out", os.path.join(work, "model")])
        print("   %-18s %6.1f MB  exit %d  %s" % (name, mb, code, err.splitlines()[-1][:90] if err
                                                   else ""))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "SLACK_"))}
    env.update(FAQBOT_DATABASE_URL="sqlite:" + os.path.join(work, "x.db"), FAQBOT_PORT=str(PORT))
    subprocess.run([FAQBOT, "topics", "import", "--team", "T012", "--owner", "U012ALICE",
                    "examples/office-faq.yml"], env=env, check=True, capture_output=True)
    token = subprocess.run([FAQBOT, "token", "create", "--team", "T012", "--owner", "U012ALICE"],
                           env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    serve = subprocess.Popen([FAQBOT, "serve"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if request("GET", "/healthz", None, {}) == 200:
                    break
            except OSError:
                time.sleep(0.05)
        body = ('version: "3.1"\nnlu:\n- intent: x\n  examples: |\n    - what is x\n  extra: '
                + "[" * (MIB - 80) + "\n").encode()
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/yaml"}
        before = rss_mb(serve.pid)
        peak, stop, statuses = [before], threading.Event(), []

        def watch():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(serve.pid))
                time.sleep(0.02)

        def one():
            statuses.append(request("PUT", "/api/v1/topics", body, headers))

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.monotonic()
        senders = [threading.Thread(target=one) for _ in range(16)]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        took = time.monotonic() - started
        stop.set()
        watcher.join()
        print("2. faqbot serve, 16 PUT /api/v1/topics of 1 MiB of nested \"[\" at once: "
              "statuses %s in %.2f s; RSS %.0f MB before, %.0f MB at the peak, %.0f MB after"
              % (sorted(set(statuses)), took, before, peak[0], rss_mb(serve.pid)))
    finally:
        serve.terminate()
        serve.wait(30)
