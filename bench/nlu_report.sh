#!/usr/bin/env bash
# Every figure of docs/nlu.md, measured again: speed and size (one core), start-up, accuracy of
# faqbot and of the lexical floor on the public data sets.
#   bench/nlu_report.sh [BUILD_DIR]        (default: build; run `make build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
judge=../shared/bench/nlu_eval.py
floor="python3 ../shared/bench/baseline_tfidf.py"

echo "## speed and size (taskset -c 0 $build/bench/nlu_bench)"
taskset -c 0 "$build/bench/nlu_bench" --benchmark_format=console 2>/dev/null | grep -E '^BM_'
echo "## start-up and streaming memory"
python3 bench/nlu_process_bench.py --faqbot "$build/faqbot"

summary() {
  python3 -c '
import json, sys
r = json.load(sys.stdin)
print("%-14s %-26s %-8s faq=%5.2f wrong=%5.2f answered=%5.2f refused=%5s top1=%5.2f oracle=%5.2f train_s=%s parse_s=%s" % (
    r["set"], sys.argv[1], sys.argv[2], r["faq_accuracy"], r["wrong_answer"], r["answered_correct"],
    r["refused_oos"], r["closed_top1"], r["oracle_accuracy"],
    r.get("train_s_median", r.get("train_s")), r.get("parse_s_median", r.get("parse_s"))))' "$1" "$2"
}
echo "## accuracy (python3 $judge --sut \"$build/faqbot nlu\" --set SET ARGS)"
for set in banking77-oos hwu64; do
  for args in "--shots 1" "--shots 3" "--protocol full --shots 1" "--protocol full --shots 3" \
    "--protocol full --shots 0"; do
    # shellcheck disable=SC2086
    python3 "$judge" --sut "$build/faqbot nlu" --set "$set" $args | summary "$args" faqbot
    # The floor is plain Python: with every training example it needs many minutes; skip that one.
    [ "$args" = "--protocol full --shots 0" ] && continue
    # shellcheck disable=SC2086
    python3 "$judge" --sut "$floor" --set "$set" $args | summary "$args" floor
  done
done
