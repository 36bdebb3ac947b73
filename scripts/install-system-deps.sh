#!/usr/bin/env bash
# Installs the Debian packages hallq's tests and demo need, only those that are missing.
# Called by scripts/test.sh and scripts/demo.sh, so a fresh Debian machine with Node 20 needs nothing else.
set -euo pipefail

# command → Debian package
declare -A need=(
  [socat]=socat
  [mosquitto]=mosquitto
  # The demo's banner shows how to watch the hall's topics with it.
  [mosquitto_sub]=mosquitto-clients
  [chromium]=chromium
  [espeak-ng]=espeak-ng
  [sox]=sox
  [fc-list]=fontconfig
  [systemd-notify]=systemd
  # The city tier's test and bench (issue 14): the broker cluster's nodes.
  [nats-server]=nats-server
  # The Debian package's test (test/ops/deb.test.ts): lintian must report no errors.
  [lintian]=lintian
)
missing=()
for cmd in "${!need[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then missing+=("${need[$cmd]}"); fi
done
# The city tier's tables: Debian 12's PostgreSQL 15 (its binaries are not on PATH).
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then missing+=(postgresql-15); fi
# Chinese fonts for the pages and screenshots.
if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk); fi

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "hallq: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "hallq: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
