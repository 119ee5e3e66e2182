#!/usr/bin/env bash
# `cmake --install` of a built tree into a throwaway prefix gives a faqbot that works on its own:
# the binary finds its lexicon in ../share/faqbot (not a per-user cache, not the build tree),
# the man page renders, and the systemd unit names the installed binary.
#   install_test.sh BUILD_DIR TOPICS.yml
set -uo pipefail
build=$1
topics=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "FAIL: cmake --install"; exit 1; }

for f in bin/faqbot share/faqbot/lexicon.fwn share/faqbot/faqbot.env \
         share/faqbot/slack-app-manifest.yml share/faqbot/slack-app-manifest-http.yml \
         share/faqbot/examples/office-faq.yml share/man/man1/faqbot.1 \
         lib/systemd/system/faqbot.service; do
  [ -s "$prefix/$f" ] || fail "$f is not installed"
done

# The installed binary alone: no lexicon beside it, an empty home and cache, no FAQBOT_LEXICON.
# Were it to miss ../share/faqbot/lexicon.fwn, it would build one into the cache.
mkdir -p "$work/home" "$work/cache"
run() {
  env -u FAQBOT_LEXICON HOME="$work/home" XDG_CACHE_HOME="$work/cache" "$prefix/bin/faqbot" "$@"
}
run --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || fail "--version prints $(run --version)"
run nlu train --data "$topics" --out "$work/model" 2>"$work/train.err" ||
  fail "nlu train: $(cat "$work/train.err")"
answer=$(echo "what is the guest wifi password" | run nlu parse --model "$work/model")
case "$answer" in
  *'"intent":{"confidence":'*'"name":"wifi_password"'*) ;;
  *) fail "nlu parse answered $answer" ;;
esac
[ -z "$(find "$work/cache" "$work/home" -mindepth 1)" ] ||
  fail "the installed faqbot wrote to the cache instead of using share/faqbot/lexicon.fwn:" \
       "$(find "$work/cache" "$work/home")"

# The man page: every subcommand, rendered without a warning.
page=$prefix/share/man/man1/faqbot.1
for cmd in "faqbot serve" "faqbot nlu parse" "faqbot topics import" "faqbot token create"; do
  grep -q "^\.SS \"$cmd\"" "$page" || fail "the man page lacks $cmd"
done
grep -q -- '--model' "$page" || fail "the man page lacks the options of nlu parse"
warnings=$(preconv "$page" | groff -man -Tutf8 -ww -z 2>&1)
[ -z "$warnings" ] || fail "groff warns: $warnings"

grep -qx "ExecStart=$prefix/bin/faqbot serve" "$prefix/lib/systemd/system/faqbot.service" ||
  fail "the unit's ExecStart: $(grep ExecStart "$prefix/lib/systemd/system/faqbot.service")"

[ "$failures" = 0 ] && echo "install layout: ok" || exit 1
