#!/usr/bin/env bash
# One decline rule across bot sizes: faqbot and the floor on bots of 5, 10, 25 and 50 topics
# (episodes, one and three examples per topic).   bench/nlu_sizes.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
for set in banking77-oos hwu64; do
  for topics in 5 10 25 50; do
   for shots in 1 3; do
    for sut in "$build/faqbot nlu" "python3 ../shared/bench/baseline_tfidf.py"; do
      python3 ../shared/bench/nlu_eval.py --sut "$sut" --set "$set" --topics "$topics" --shots "$shots" |
        python3 -c '
import json, sys
r = json.load(sys.stdin)
print("%-14s topics=%-3s shots=%s %-45s faq=%5.2f wrong=%5.2f answered=%5.2f refused=%5.2f oracle=%5.2f" % (
    r["set"], r["topics"], r["shots"], r["sut"][-45:], r["faq_accuracy"], r["wrong_answer"],
    r["answered_correct"], r["refused_oos"], r["oracle_accuracy"]))'
    done
   done
  done
done
