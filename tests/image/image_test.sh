#!/usr/bin/env bash
# `make image-test`: builds the container image from the Containerfile (on a local Debian 12 base
# made by base_image.sh) and runs it with --network host against a throwaway PostgreSQL and the
# loopback Slack emulator: /healthz answers, the container's HEALTHCHECK passes, `faqbot
# --version` and `faqbot nlu parse` work inside (the installed .deb), topics imported with the
# image's CLI are published through the topics API, and /model/parse answers from them.
#   image_test.sh BUILD_DIR [IMAGE_TAG]
# Prints the build time and the image size (docs/install.md).
set -euo pipefail
build=$(realpath "${1:?usage: image_test.sh BUILD_DIR [IMAGE_TAG]}")
image=${2:-localhost/faqbot:test}
base=${FAQBOT_IMAGE_BASE:-localhost/debian:bookworm}
here=$(dirname "$(realpath "$0")")
root=$(realpath "$here/../..")
emulator_bin=$build/tests/slack_emulator/faqbot-slack-emulator
[ -x "$emulator_bin" ] || { echo "build $emulator_bin first (make build)"; exit 1; }

work=$(mktemp -d)
container=faqbot-image-test-$$
emulator_pid=
cleanup() {
  podman rm -f "$container" >/dev/null 2>&1 || true
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  "$root/tests/store/pg_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; podman logs "$container" 2>&1 | tail -n 30 || true; exit 1; }
# The intent a /model/parse JSON answer names.
intent() { python3 -c 'import json, sys; print(json.load(sys.stdin)["intent"]["name"])' 2>/dev/null; }

if [ "$base" = localhost/debian:bookworm ]; then "$here/base_image.sh" "$base"; fi
start=$(date +%s)
# Docker's image format: OCI images have no HEALTHCHECK.
podman build --format docker --build-arg BASE="$base" -t "$image" -f "$root/Containerfile" "$root"
built=$(date +%s)
size=$(podman image inspect "$image" --format '{{.Size}}')
echo "image $image built in $((built - start)) s, $((size / 1000 / 1000)) MB"

"$root/tests/store/pg_cluster.sh" start "$work/pg"
database_url=$(cat "$work/pg/url")
"$emulator_bin" 0 >"$work/emulator.out" &
emulator_pid=$!
for _ in $(seq 100); do grep -q '^FAQBOT_SLACK_API_URL=' "$work/emulator.out" && break; sleep 0.1; done
slack_url=$(sed -n 's/^FAQBOT_SLACK_API_URL=//p' "$work/emulator.out")
[ -n "$slack_url" ] || fail "the Slack emulator did not start"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

podman run -d --name "$container" --network host \
  -e SLACK_BOT_TOKEN=xoxb-emulator -e SLACK_SIGNING_SECRET=image-test-secret \
  -e FAQBOT_SLACK_API_URL="$slack_url" -e FAQBOT_DATABASE_URL="$database_url" \
  -e FAQBOT_PORT="$port" "$image" >/dev/null
url=http://127.0.0.1:$port
for _ in $(seq 300); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$url/healthz" >/dev/null || fail "/healthz does not answer"
echo "/healthz: $(curl -sS "$url/healthz")"
podman healthcheck run "$container" || fail "the image's HEALTHCHECK fails"

# The installed package inside the image.
podman exec "$container" faqbot --version
podman exec "$container" faqbot nlu train --data /usr/share/faqbot/examples/office-faq.yml \
  --out /tmp/office.model
answer=$(echo "what is the guest wifi password" |
  podman exec -i "$container" faqbot nlu parse --model /tmp/office.model)
[ "$(intent <<<"$answer")" = wifi_password ] || fail "nlu parse in the image: $answer"

# Publish and ask, through the running replica and its PostgreSQL.
podman exec "$container" faqbot topics import --owner U0ALICE --team T0ACME \
  /usr/share/faqbot/examples/office-faq.yml
token=$(podman exec "$container" faqbot token create --owner U0ALICE --team T0ACME | tail -n 1)
curl -fsS -X POST "$url/api/v1/publish?token=$token" || fail "publish"
echo
for _ in $(seq 300); do
  answer=$(curl -sS -X POST "$url/model/parse?token=$token" \
    -d '{"text":"where can my visitors leave their car"}' || true)
  [ "$(intent <<<"$answer")" = visitor_parking ] && break
  sleep 0.1
done
[ "$(intent <<<"$answer")" = visitor_parking ] || fail "/model/parse after the publish: $answer"
echo "/model/parse after the publish: visitor_parking"
podman stop -t 30 "$container" >/dev/null
[ "$(podman inspect "$container" --format '{{.State.ExitCode}}')" = 0 ] ||
  fail "faqbot serve did not stop cleanly on SIGTERM"
echo "image test: ok (image built in $((built - start)) s, $((size / 1000 / 1000)) MB)"
