#!/usr/bin/env bash
# The `make run` demo while the Slack server is not there yet: trains the sample bot in
# examples/office-faq.yml and asks it questions worded differently from what it was taught.
#   examples/demo.sh [BUILD_DIR] [QUESTION...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
model="$build/office-faq.model"
"$build/faqbot" nlu train --data examples/office-faq.yml --out "$model"
echo "Trained examples/office-faq.yml (8 topics) into $model ($(stat -c %s "$model") bytes)."
echo
if [ $# -eq 0 ]; then
  set -- "what's the password for the guest wireless?" \
         "where should my visitors leave their car" \
         "how do I claim the hotel costs from my business trip" \
         "when is salary paid?" \
         "how many days off do we have each year" \
         "I can't connect to the vpn from home" \
         "who won the football last night?" \
         "what is the capital of France?"
fi
printf '%s\n' "$@" | "$build/faqbot" nlu parse --model "$model" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    name, conf = r["intent"]["name"], r["intent"]["confidence"]
    verdict = "I don'"'"'t know that one yet" if name == "nlu_fallback" else "%s (confidence %.2f)" % (name, conf)
    print("  %-55s -> %s" % (r["text"], verdict))'
echo
echo "Try your own: echo 'your question' | $build/faqbot nlu parse --model $model"
