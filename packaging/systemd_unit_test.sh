#!/usr/bin/env bash
# faqbot.service passes `systemd-analyze verify` without a warning (verify exits 0 on most
# warnings, so any output fails) and keeps the settings docs/install.md promises.
#   systemd_unit_test.sh faqbot.service.in FAQBOT_BINARY FAQBOT_MAN_PAGE
set -uo pipefail
template=$1
binary=$2
man_page=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unit=$work/faqbot.service
# The installed unit names <prefix>/bin/faqbot; here the built binary, which verify checks exists.
sed "s|@FAQBOT_INSTALL_BINDIR@/faqbot|$binary|" "$template" >"$unit"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# verify also runs `man faqbot(1)` for Documentation=: the generated page, as installed.
mkdir -p "$work/man/man1"
ln -s "$(realpath "$man_page")" "$work/man/man1/faqbot.1"
out=$(MANPATH="$work/man" systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
for line in "Type=notify" "DynamicUser=yes" "User=faqbot" "StateDirectory=faqbot" \
            "EnvironmentFile=/etc/faqbot/faqbot.env" "Restart=on-failure" \
            "ProtectSystem=strict" "ProtectHome=yes" "NoNewPrivileges=yes" "PrivateTmp=yes" \
            "ExecStart=$binary serve" "Environment=FAQBOT_DATABASE_URL=sqlite:%S/faqbot/faqbot.db"; do
  grep -qxF "$line" "$unit" || fail "the unit lacks $line"
done
[ "$failures" = 0 ] && echo "faqbot.service: ok" || exit 1
