#!/usr/bin/env bash
# The container image builds faqbot from the same sources as `make`: every library the build
# needs (a -dev package of the Makefile's PKGS, test-only ones aside) must be installed by the
# Containerfile's build stage too. `make image-test` would find a missing one, but it needs podman
# and many minutes and is not part of `make test`; this runs in a second.
#   build_deps_test.sh MAKEFILE CONTAINERFILE
set -u
makefile=$1
containerfile=$2
# Only the tests link these; the image builds the program alone.
test_only=" libgtest-dev libgmock-dev libbenchmark-dev libclang-rt-14-dev "

# The PKGS list: from "PKGS :=" to the first line not ending in a backslash.
pkgs=$(awk '/^PKGS :=/{on=1} on{print; if ($0 !~ /\\$/) exit}' "$makefile" | tr -s ' \\\t' '\n' |
  grep -E -- '-dev$' | sort -u)
if [ -z "$pkgs" ]; then echo "FAIL: no -dev package found in PKGS of $makefile"; exit 1; fi
# The build stage: from its FROM to the next FROM.
stage=$(awk '/^FROM .* AS build/{on=1; next} on && /^FROM /{exit} on{print}' "$containerfile")
missing=0
for p in $pkgs; do
  case "$test_only" in *" $p "*) continue ;; esac
  if ! grep -qw -- "$p" <<<"$stage"; then
    echo "FAIL: $p is in the Makefile's PKGS but not installed by the Containerfile's build stage"
    missing=1
  fi
done
[ "$missing" = 0 ] && echo "ok: $(wc -w <<<"$pkgs") -dev packages checked"
exit "$missing"
