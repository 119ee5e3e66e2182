#!/usr/bin/env bash
# Writes the faqbot(1) man page (groff -man) from the command line's own help: `faqbot --help`
# and the --help of every subcommand, found by walking the "Subcommands:" sections. Run by the
# build, so the page cannot drift from the CLI.
#   faqbot_manpage.sh FAQBOT_BINARY OUT_FILE
set -euo pipefail
faqbot=${1:?usage: faqbot_manpage.sh FAQBOT_BINARY OUT_FILE}
out=${2:?usage: faqbot_manpage.sh FAQBOT_BINARY OUT_FILE}

# The names listed under "Subcommands:" in a help text.
subcommands() {
  awk '/^Subcommands:/ { in_list = 1; next }
       /^[^ ]/ { in_list = 0 }
       in_list && /^  [^ ]/ { print $1 }'
}

# Help text as groff: "./path/faqbot" shown as "faqbot", backslashes escaped, and lines that
# start with a dot or a quote protected from being read as requests.
escape() {
  sed -e "s|$faqbot|faqbot|g" -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" -e 's/^-/\\-/'
}

# One section per command: its help, preformatted, then its subcommands, depth first.
section() {
  local help
  help=$("$faqbot" "$@" --help)
  printf '.SS "faqbot %s"\n.nf\n' "$*"
  printf '%s\n' "$help" | escape
  printf '.fi\n'
  local sub
  for sub in $(printf '%s\n' "$help" | subcommands); do
    section "$@" "$sub"
  done
}

top=$("$faqbot" --help)
version=$("$faqbot" --version)
{
  printf '.TH FAQBOT 1 "" "faqbot %s" "User Commands"\n' "$version"
  printf '.SH NAME\nfaqbot \\- %s\n' "$(printf '%s\n' "$top" | head -n 1 | sed 's/^faqbot: //')"
  printf '.SH SYNOPSIS\n.B faqbot\n[\\fIOPTIONS\\fR] \\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]\n'
  printf '.SH OPTIONS\n.nf\n'
  printf '%s\n' "$top" | sed -n '/^Options:/,/^$/p' | escape
  printf '.fi\n.SH COMMANDS\n'
  for sub in $(printf '%s\n' "$top" | subcommands); do
    section "$sub"
  done
  cat <<'FILES'
.SH FILES
.TP
.I ../share/faqbot/lexicon.fwn
The compiled WordNet lexicon, found beside the executable (see \fB\-\-lexicon\fR and
\fBFAQBOT_LEXICON\fR).
.TP
.I /etc/faqbot/faqbot.env
The environment of \fBfaqbot.service\fR: the Slack secrets and \fBFAQBOT_*\fR settings.
.TP
.I /var/lib/faqbot/faqbot.db
The SQLite database of \fBfaqbot.service\fR unless \fBFAQBOT_DATABASE_URL\fR names PostgreSQL.
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.exec (5)
FILES
} >"$out.tmp"
mv "$out.tmp" "$out"
