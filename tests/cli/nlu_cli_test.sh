#!/usr/bin/env bash
# Black-box test of `faqbot nlu`: train/parse contract, streaming, and clear errors on bad input.
#   nlu_cli_test.sh FAQBOT TOPICS.yml
set -uo pipefail
faqbot=$1
topics=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE PATTERN CMD...: exit code CODE and PATTERN in stderr.
expect_exit() {
  local code=$1 pattern=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" != "$code" ]; then fail "$* exited $got, expected $code: $(cat "$work/err")"; return; fi
  if ! grep -q -- "$pattern" "$work/err"; then fail "$*: stderr lacks '$pattern': $(cat "$work/err")"; return; fi
  pass
}

# Train and parse.
if "$faqbot" nlu train --data "$topics" --out "$work/m"; then pass; else fail "train"; fi
printf 'what is the guest wifi password\n\nwho won the football\n' |
  "$faqbot" nlu parse --model "$work/m" >"$work/answers" || fail "parse exited non-zero"
python3 - "$work/answers" <<'PY' && pass || fail "parse output"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 3, rows
assert rows[0]["intent"]["name"] == "wifi_password", rows[0]
assert 0.5 <= rows[0]["intent"]["confidence"] <= 1.0
assert rows[0]["intent_ranking"][0]["name"] == "wifi_password"
assert len(rows[0]["intent_ranking"]) <= 10
assert rows[1]["text"] == "" and rows[1]["intent"]["name"] == "nlu_fallback", rows[1]
assert rows[2]["intent"]["name"] == "nlu_fallback", rows[2]
assert rows[2]["intent_ranking"][0]["name"] == "nlu_fallback"
for r in rows:
    assert set(r) >= {"text", "intent", "intent_ranking"}
PY

# Streaming: many lines in, as many out; a 1 MB line and invalid UTF-8 still get valid JSON.
python3 -c '
import sys
out = sys.stdout.buffer
for i in range(20000): out.write(b"where can visitors park %d\n" % i)
out.write(b"wifi " * 200000 + b"\n")
out.write(b"caf\xc3 \xff\xfe password\n")' >"$work/many"
"$faqbot" nlu parse --model "$work/m" <"$work/many" >"$work/many.out" || fail "streaming parse"
python3 - "$work/many.out" <<'PY' && pass || fail "streaming output"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 20002, len(rows)
assert rows[0]["intent"]["name"] == "visitor_parking"
assert rows[20000]["intent"]["name"] == "wifi_password"
assert len(rows[20000]["text"]) == 64 * 1024
PY
# Matched on several threads, a stream gives exactly the answers of one thread, in order.
"$faqbot" nlu parse --model "$work/m" --threads 1 <"$work/many" >"$work/many.one" ||
  fail "one-thread parse"
"$faqbot" nlu parse --model "$work/m" --threads 3 <"$work/many" >"$work/many.three" ||
  fail "three-thread parse"
cmp -s "$work/many.one" "$work/many.out" && cmp -s "$work/many.one" "$work/many.three" &&
  pass || fail "threads change the output"

# Bad input: clear message, documented exit code, nothing written.
expect_exit 66 "no such file" "$faqbot" nlu train --data "$work/missing.yml" --out "$work/x"
printf 'nlu:\n- intent: a\n  examples: |\n    - hello\n- intent: a\n  examples: |\n    - bye\n' >"$work/dup.yml"
expect_exit 64 "dup.yml:5: duplicate intent a" "$faqbot" nlu train --data "$work/dup.yml" --out "$work/x"
printf 'nlu:\n- intent: a\n' >"$work/empty.yml"
expect_exit 64 "empty.yml:2: intent a has no examples" "$faqbot" nlu train --data "$work/empty.yml" --out "$work/x"
printf 'nlu: [' >"$work/broken.yml"
expect_exit 64 "not valid YAML" "$faqbot" nlu train --data "$work/broken.yml" --out "$work/x"
[ -e "$work/x" ] && fail "a failed train wrote a model" || pass
expect_exit 64 "unknown matcher option" "$faqbot" nlu --set nope=1 train --data "$topics" --out "$work/x"
head -c 100 "$work/m" >"$work/truncated"
expect_exit 65 "truncated" "$faqbot" nlu parse --model "$work/truncated" </dev/null
cp "$work/m" "$work/corrupt"
printf '\x55' | dd of="$work/corrupt" bs=1 seek=60 conv=notrunc status=none
expect_exit 65 "checksum" "$faqbot" nlu parse --model "$work/corrupt" </dev/null
expect_exit 65 "not a faqbot model" "$faqbot" nlu parse --model "$topics" </dev/null
expect_exit 66 "no such file" "$faqbot" nlu parse --model "$work/none" </dev/null
expect_exit 65 "lexicon" "$faqbot" nlu --lexicon "$topics" parse --model "$work/m" </dev/null

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
