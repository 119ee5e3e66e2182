#!/usr/bin/env bash
# The .deb in a throwaway Debian 12 root (a podman container of the base image): apt-get installs
# it with the libraries it depends on; the maintainer scripts create the faqbot user and
# /etc/faqbot/faqbot.env (0640 root:faqbot) and leave the unit disabled; `faqbot --version` and
# `faqbot nlu parse` work there; a purge removes the configuration.
#   package_test.sh FAQBOT.deb [BASE_IMAGE]
set -euo pipefail
deb=$(realpath "${1:?usage: package_test.sh FAQBOT.deb [BASE_IMAGE]}")
base=${2:-localhost/debian:bookworm}
here=$(dirname "$(realpath "$0")")
if [ "$base" = localhost/debian:bookworm ]; then "$here/base_image.sh" "$base"; fi

podman run --rm --network host -v "$deb:/tmp/faqbot.deb:ro" "$base" bash -euo pipefail -c '
  fail() { echo "FAIL: $*"; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    /tmp/faqbot.deb >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "apt-get install"; }
  getent passwd faqbot >/dev/null || fail "no faqbot user"
  [ "$(stat -c "%a %U %G" /etc/faqbot/faqbot.env)" = "640 root faqbot" ] ||
    fail "faqbot.env is $(stat -c "%a %U %G" /etc/faqbot/faqbot.env)"
  [ -f /usr/lib/systemd/system/faqbot.service ] || fail "no unit"
  [ -z "$(find /etc/systemd/system -name "faqbot*")" ] || fail "the unit is enabled"
  faqbot --version
  faqbot nlu train --data /usr/share/faqbot/examples/office-faq.yml --out /tmp/m
  answer=$(echo "what is the guest wifi password" | faqbot nlu parse --model /tmp/m)
  case "$answer" in *"\"name\":\"wifi_password\""*) ;; *) fail "nlu parse: $answer" ;; esac
  [ ! -e "$HOME/.cache/faqbot" ] || fail "a lexicon was built instead of the packaged one"
  apt-get purge -y -qq faqbot >/dev/null 2>&1 || fail "purge"
  [ ! -e /etc/faqbot ] || fail "/etc/faqbot is left after purge"
  echo "package: ok"
'
