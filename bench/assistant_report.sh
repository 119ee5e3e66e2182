#!/usr/bin/env bash
# The assistant's benchmarks (docs/assistant.md, "Benchmarks"): publish latency and ask latency
# against a real `faqbot serve` with SQLite and the loopback Slack emulator, then the memory of
# 10,000 owners' live models. Takes about 5 minutes and 4.5 GB of RAM at its peak.
#   bench/assistant_report.sh [BUILD_DIR]
# BUILD_DIR must hold faqbot, lexicon.fwn and bench/{publish,ask}_latency_bench,
# bench/assistant_memory_bench, bench/learn_latency_bench.
set -euo pipefail
build=${1:-build}
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== publish latency (50 owners x 50 topics)"
"$build/bench/publish_latency_bench" --publishes=50 --topics=50 2>/dev/null
echo "== publish latency, events on a DM channel other than the opened one (no pacing)"
"$build/bench/publish_latency_bench" --publishes=50 --topics=50 --unpaced-channel 2>/dev/null
echo "== ask latency (200 asks/s for 30 s, 1,000 askers, owner with 20 topics)"
"$build/bench/ask_latency_bench" --rate=200 --seconds=30 --event-threads=4 2>/dev/null
"$build/bench/ask_latency_bench" --rate=200 --seconds=30 --event-threads=8 2>/dev/null
echo "== learning: It's X pressed on a 150-topic bot -> live"
"$build/bench/learn_latency_bench" --topics=150 --presses=50 2>/dev/null
echo "== memory (10,000 owners x 20 topics, every model loaded)"
"$build/bench/assistant_memory_bench" --owners=10000 --topics=20 2>/dev/null
rm -f /dev/shm/faqbot-memory-bench.db /dev/shm/faqbot-memory-bench.db-wal \
  /dev/shm/faqbot-memory-bench.db-shm
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
