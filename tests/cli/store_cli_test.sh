#!/usr/bin/env bash
# Black-box test of `faqbot topics import|export|list`, `faqbot token create|list|revoke` and
# `faqbot db migrate`, on SQLite and on
# the throwaway PostgreSQL server (a fresh database on it).
#   store_cli_test.sh FAQBOT TOPICS.yml PG_ADMIN_URL_FILE
set -uo pipefail
faqbot=$1
topics=$2
pg_url_file=$3
work=$(mktemp -d)
failures=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pg_admin=$(cat "$pg_url_file" 2>/dev/null || true)
if [ -z "$pg_admin" ]; then
  echo "FAIL: no PostgreSQL test server (run through ctest: fixture postgres)"
  exit 1
fi
pg_db="faqbot_cli_$$"
psql -q "$pg_admin" -c "CREATE DATABASE $pg_db" || { echo "FAIL: create database"; exit 1; }
pg_url="${pg_admin%/*}/$pg_db"
trap 'rm -rf "$work"; psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1' EXIT

run_suite() {
  local db=$1
  cd "$work" || exit 1
  if "$faqbot" db migrate --database "$db" >"$work/out" 2>&1 && grep -Eq "schema version ([0-9]+) \(\1 migrations applied\)" "$work/out"; then
    pass; else fail "[$db] migrate: $(cat "$work/out")"; fi
  # A web console sign-in link: the URL alone on stdout, under FAQBOT_PUBLIC_URL.
  if url=$(FAQBOT_PUBLIC_URL=https://faq.example.com/ "$faqbot" console link --database "$db" \
             --owner U0ALICE --team T0ACME 2>"$work/err") &&
     [[ "$url" =~ ^https://faq\.example\.com/console/login\?token=[0-9a-f]{64}$ ]]; then
    pass; else fail "[$db] console link: $url $(cat "$work/err")"; fi
  # A link nobody could open is not made: a public URL that is no URL is a configuration error.
  FAQBOT_PUBLIC_URL=notaurl "$faqbot" console link --database "$db" --owner U0ALICE --team T0ACME \
    >"$work/out" 2>"$work/err"
  if [ $? = 78 ] && [ ! -s "$work/out" ] && grep -q "FAQBOT_PUBLIC_URL" "$work/err"; then pass
  else fail "[$db] console link with a bad FAQBOT_PUBLIC_URL: $(cat "$work/err")"; fi
  # Nor one under a path prefix, whose session cookie (Path=/console) the browser would not send.
  FAQBOT_PUBLIC_URL=https://example.com/faqbot "$faqbot" console link --database "$db" \
    --owner U0ALICE --team T0ACME >"$work/out" 2>"$work/err"
  if [ $? = 78 ] && [ ! -s "$work/out" ] && grep -q "root of a host" "$work/err"; then pass
  else fail "[$db] console link under a path prefix: $(cat "$work/err")"; fi
  if "$faqbot" console signout --database "$db" --owner U0ALICE --team T0ACME >"$work/out" 2>&1 &&
     grep -q "ended 0 web console sessions of T0ACME/U0ALICE" "$work/out"; then
    pass; else fail "[$db] console signout: $(cat "$work/out")"; fi
  if "$faqbot" topics import --database "$db" --owner U0ALICE --team T0ACME "$topics" >"$work/out" 2>&1 &&
     grep -q "imported 8 topics" "$work/out"; then pass; else fail "[$db] import: $(cat "$work/out")"; fi
  # Importing again adds nothing.
  if "$faqbot" topics import --database "$db" --owner U0ALICE "$topics" >"$work/out" 2>&1 &&
     grep -q "8 already there" "$work/out"; then pass; else fail "[$db] re-import: $(cat "$work/out")"; fi
  if "$faqbot" topics list --database "$db" --owner U0ALICE >"$work/out" 2>&1 &&
     grep -q "8 topics of T0ACME/U0ALICE; nothing published yet" "$work/out" &&
     [ "$(grep -c '🅾' "$work/out")" = 8 ]; then pass; else fail "[$db] list: $(cat "$work/out")"; fi
  # Export → import as another owner → export again: the same topics.
  "$faqbot" topics export --database "$db" --owner U0ALICE >"$work/a.yml" 2>"$work/err" || fail "[$db] export"
  "$faqbot" topics import --database "$db" --owner U0BOB --team T0ACME "$work/a.yml" >/dev/null 2>&1 ||
    fail "[$db] import of an export"
  "$faqbot" topics export --database "$db" --owner U0BOB --out "$work/b.yml" 2>"$work/err" || fail "[$db] export --out"
  # Output that cannot be written fails (a backup onto a full disk), rather than leave an empty file.
  "$faqbot" topics export --database "$db" --owner U0ALICE >/dev/full 2>"$work/err"
  if [ $? = 69 ] && grep -q "cannot write to standard output" "$work/err"; then pass
  else fail "[$db] export onto a full disk: $(cat "$work/err")"; fi
  # A wrong command line is a usage error (sysexits 64), a wrong log level included.
  "$faqbot" topics export --database "$db" --owner U0ALICE --format xml >/dev/null 2>&1
  if [ $? = 64 ]; then pass; else fail "[$db] --format xml"; fi
  "$faqbot" --log-level loud topics list --database "$db" --owner U0ALICE >/dev/null 2>"$work/err"
  if [ $? = 64 ] && grep -q "log-level" "$work/err"; then pass; else fail "[$db] --log-level loud"; fi
  # A mistyped or missing command is named, with the commands of that level.
  "$faqbot" topics exprt --database "$db" --owner U0ALICE >/dev/null 2>"$work/err"
  if [ $? = 64 ] && grep -q "faqbot topics: unknown command 'exprt' (one of: import, export, list)" "$work/err"
  then pass; else fail "[$db] topics exprt: $(cat "$work/err")"; fi
  "$faqbot" token >/dev/null 2>"$work/err"
  if [ $? = 64 ] && grep -q "faqbot token: a command is needed (one of: create, list, revoke)" "$work/err"
  then pass; else fail "[$db] token: $(cat "$work/err")"; fi
  python3 - "$work/a.yml" "$work/b.yml" "$topics" <<'PY' && pass || fail "[$db] export round trip"
import sys, yaml
def topics(path):
    doc = yaml.safe_load(open(path))
    responses = doc.get("responses", {})
    return [(i["intent"], [e[2:] for e in i["examples"].splitlines() if e.strip()],
             responses.get("utter_" + i["intent"], [{}])[0].get("text"))
            for i in doc["nlu"]]
a, b, orig = topics(sys.argv[1]), topics(sys.argv[2]), topics(sys.argv[3])
# The same intents (names included), examples and responses, in the same order.
assert a == orig, (a, orig)
assert b == orig, (b, orig)
PY
  # A renamed intent in the file is a new topic; --replace drops the ones the file leaves out.
  sed 's/intent: wifi_password/intent: guest_wifi/' "$topics" >"$work/renamed.yml"
  if "$faqbot" topics import --database "$db" --owner U0BOB --replace "$work/renamed.yml" >"$work/out" 2>&1 &&
     grep -q "(1 new, 0 updated, 7 already there, 1 deleted)" "$work/out" &&
     "$faqbot" topics list --database "$db" --owner U0BOB | grep -q "guest_wifi"; then pass; else
    fail "[$db] import --replace: $(cat "$work/out")"; fi
  # Clear errors.
  "$faqbot" topics list --database "$db" --owner 'U0 OR 1=1' >/dev/null 2>"$work/err"
  if [ $? = 64 ] && grep -q "owner" "$work/err"; then pass; else fail "[$db] bad owner: $(cat "$work/err")"; fi
  # Without responses (Rasa keeps them in domain.yml): drafts that need an answer.
  printf 'version: "3.1"\nnlu:\n- intent: office_hours\n  examples: |\n    - when are you open?\n- intent: lunch\n  examples: |\n    - where is lunch?\n' >"$work/noanswer.yml"
  if "$faqbot" topics import --database "$db" --owner U0CAROL --team T0ACME "$work/noanswer.yml" >"$work/out" 2>&1 &&
     grep -q "imported 2 topics" "$work/out" && grep -q "2 topics have no answer" "$work/out" &&
     [ "$("$faqbot" topics list --database "$db" --owner U0CAROL | grep -c 'needs an answer')" = 2 ]; then
    pass; else fail "[$db] import without responses: $(cat "$work/out")"; fi
  printf 'version: "3.1"\nintents:\n- office_hours\nresponses:\n  utter_office_hours:\n  - text: "9 to 5"\n' >"$work/domain.yml"
  if "$faqbot" topics import --database "$db" --owner U0CAROL "$work/noanswer.yml" --domain "$work/domain.yml" >"$work/out" 2>&1 &&
     grep -q "(0 new, 1 updated, 1 already there)" "$work/out" && grep -q "1 topic has no answer" "$work/out" &&
     "$faqbot" topics export --database "$db" --owner U0CAROL | grep -q 'text: "9 to 5"' &&
     [ "$("$faqbot" topics list --database "$db" --owner U0CAROL | grep -c 'needs an answer')" = 1 ]; then
    pass; else fail "[$db] import --domain: $(cat "$work/out")"; fi
  # JSON in and out.
  "$faqbot" topics export --database "$db" --owner U0CAROL --out "$work/carol.json" 2>"$work/err" || fail "[$db] export json"
  if python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["topics"]; assert [x["name"] for x in t]==["office_hours","lunch"] and t[1]["needs_answer"] and t[0]["answer"]=="9 to 5", t' "$work/carol.json" &&
     "$faqbot" topics import --database "$db" --owner U0DAVE --team T0ACME "$work/carol.json" >"$work/out" 2>&1 &&
     grep -q "imported 2 topics" "$work/out"; then pass; else fail "[$db] json: $(cat "$work/out")"; fi
  printf 'version: "3.1"\nnlu:\n- intent: a\n  examples: |\n    - one\n- intent: a\n  examples: |\n    - two\n' >"$work/bad.yml"
  "$faqbot" topics import --database "$db" --owner U0ERIN --team T0ACME "$work/bad.yml" >/dev/null 2>"$work/err"
  if [ $? = 64 ] && grep -q "duplicate intent" "$work/err"; then pass; else fail "[$db] bad file: $(cat "$work/err")"; fi
  if "$faqbot" topics list --database "$db" --owner U0ERIN --team T0ACME 2>/dev/null | grep -q "^0 topics"; then
    pass; else fail "[$db] a refused import wrote something"; fi
  # A token for a workspace the owner is not known in: made, with a note on stderr (topics
  # imported without --team live in TLOCAL, and such a token would quietly see none of them).
  if "$faqbot" token create --database "$db" --team T0OTHER --owner U0CAROL >"$work/out" 2>"$work/err" &&
     [[ "$(tail -n 1 "$work/out")" =~ ^faqbot_[0-9a-f]{64}$ ]] &&
     grep -q "note: U0CAROL is not known in workspace T0OTHER yet, only in T0ACME" "$work/err"; then
    pass; else fail "[$db] token for another workspace: $(cat "$work/out" "$work/err")"; fi
  # API tokens: the token alone on the last line; listed without it; revoked by id or by value.
  "$faqbot" token create --database "$db" --team T0ACME --owner U0ALICE --name ci >"$work/out" 2>&1 ||
    fail "[$db] token create: $(cat "$work/out")"
  token1=$(tail -n 1 "$work/out")
  token2=$("$faqbot" token create --database "$db" --team T0ACME --owner U0ALICE | tail -n 1)
  if [[ "$token1" =~ ^faqbot_[0-9a-f]{64}$ ]] && [ "$token1" != "$token2" ]; then pass; else
    fail "[$db] token create printed: $(cat "$work/out")"; fi
  if "$faqbot" token list --database "$db" --team T0ACME --owner U0ALICE >"$work/out" 2>&1 &&
     grep -q "^2 API tokens of T0ACME/U0ALICE" "$work/out" && grep -q " ci " "$work/out" &&
     grep -q "never" "$work/out" && ! grep -q "${token1#faqbot_}" "$work/out"; then pass; else
    fail "[$db] token list: $(cat "$work/out")"; fi
  id1=$(awk '$2 == "ci" {print $1}' "$work/out")
  if ! "$faqbot" token revoke --database "$db" --team T0ACME --owner U0BOB "$id1" >/dev/null 2>&1 &&
     ! "$faqbot" token revoke --database "$db" --team T0ACME --owner U0BOB "$token1" >/dev/null 2>&1; then
    pass; else fail "[$db] another owner revoked a token"; fi
  if "$faqbot" token revoke --database "$db" --team T0ACME --owner U0ALICE "$id1" >/dev/null 2>&1 &&
     "$faqbot" token revoke --database "$db" --team T0ACME --owner U0ALICE "$token2" >/dev/null 2>&1 &&
     "$faqbot" token list --database "$db" --team T0ACME --owner U0ALICE | grep -q "^0 API tokens"; then
    pass; else fail "[$db] token revoke"; fi
  if ! "$faqbot" token revoke --database "$db" --team T0ACME --owner U0ALICE "$id1" >/dev/null 2>&1; then
    pass; else fail "[$db] revoked twice"; fi
}

run_suite "sqlite:$work/cli.db"
run_suite "$pg_url"

# Default database: $FAQBOT_DATABASE_URL, else ./faqbot.db in the working directory.
mkdir -p "$work/cwd" && cd "$work/cwd" || exit 1
FAQBOT_DATABASE_URL= "$faqbot" db migrate >/dev/null 2>&1 && [ -f faqbot.db ] && pass || fail "default sqlite:./faqbot.db"
FAQBOT_DATABASE_URL="sqlite:$work/env.db" "$faqbot" db migrate >/dev/null 2>&1 && [ -f "$work/env.db" ] && pass ||
  fail "FAQBOT_DATABASE_URL"
"$faqbot" db migrate --database postgresql://bot:hunter2@127.0.0.1:1/none >/dev/null 2>"$work/err"
if [ $? = 69 ] && ! grep -q hunter2 "$work/err"; then pass; else fail "unreachable database: $(cat "$work/err")"; fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
