#!/usr/bin/env bash
# Makes podman usable on a machine without Docker Hub: configures runc and the ulimits podman
# needs on this kind of VM (only when /etc/containers/containers.conf is missing), and creates
# localhost/debian:bookworm from Debian's mirror with mmdebstrap when that image is missing.
# Usage: base_image.sh [image name, default localhost/debian:bookworm]
set -euo pipefail
image=${1:-localhost/debian:bookworm}

conf=/etc/containers/containers.conf
if [ ! -e "$conf" ]; then
  echo "writing $conf (runc, nofile/nproc ulimits)"
  cat >"$conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
fi

if podman image exists "$image"; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "creating $image with mmdebstrap (about 25 s)"
mmdebstrap --quiet --variant=minbase --format=tar bookworm "$work/base.tar"
podman import --quiet "$work/base.tar" "$image" >/dev/null
