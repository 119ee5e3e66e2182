#!/usr/bin/env bash
# A Chinese office FAQ written for this check (bench/office_zh/: 8 topics × 2 phrasings, 16
# paraphrases and 10 unrelated questions), answered by `faqbot nlu` with each Han character a
# token and, for comparison, with a run of them one token (split_ideographs=0, as models stored
# before analyse them). Prints answered-right, wrong and declined counts; docs/nlu.md has them.
#   bench/office_zh.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for split in 1 0; do
  "$build/faqbot" nlu --set "split_ideographs=$split" train --data bench/office_zh/train.yml \
    --out "$work/model" >/dev/null
  cut -f2 bench/office_zh/queries.tsv | "$build/faqbot" nlu parse --model "$work/model" |
    paste bench/office_zh/queries.tsv - | python3 -c '
import json, sys
right = wrong = asked = declined = unrelated = 0
for line in sys.stdin:
    gold, _, parsed = line.rstrip("\n").split("\t", 2)
    intent = json.loads(parsed)["intent"]["name"]
    if gold == "-":
        unrelated += 1
        declined += intent == "nlu_fallback"
    else:
        asked += 1
        right += intent == gold
        wrong += intent not in (gold, "nlu_fallback")
print("split_ideographs=%s: %d of %d paraphrases answered right, %d wrong; %d of %d unrelated "
      "questions declined" % (sys.argv[1], right, asked, wrong, declined, unrelated))
' "$split"
done
