#!/usr/bin/env bash
# Installs the Debian packages hallq needs, only those that are missing. Two sets:
#   (default)   development and tests: what scripts/test.sh and scripts/demo.sh need (a fresh Debian machine
#               with Node 20 needs nothing else): brokers, pty and audio tools, Chromium, lintian, PostgreSQL…
#   --runtime   a hall box installed from a clone (scripts/install.sh): what the installed hallq runs with,
#               the .deb's Depends and Recommends: aplay (the voice), espeak-ng (the default voice clips),
#               mosquitto (the hall's broker), systemd-sysusers (the hallq and hallq-kiosk users). Never the
#               development set: a hall box gets no compilers, test brokers, lintian or database servers.
#   --list      print the chosen set's packages, one a line, and install nothing.
set -euo pipefail
set_name=dev
list=0
for arg in "$@"; do
  case "$arg" in
    --runtime) set_name=runtime ;;
    --list) list=1 ;;
    -h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-system-deps.sh: unknown option $arg (--runtime, --list, --help)" >&2; exit 2 ;;
  esac
done

# command → Debian package
declare -A need
if [ "$set_name" = runtime ]; then
  need=(
    [aplay]=alsa-utils
    [espeak-ng]=espeak-ng
    [mosquitto]=mosquitto
    [systemd-sysusers]=systemd
  )
else
  need=(
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
    # A technician's SQLite shell on the live hall database (test/faults/wal-reader.test.ts).
    [sqlite3]=sqlite3
  )
fi
if [ "$list" = 1 ]; then
  printf '%s\n' "${need[@]}" | sort -u
  # Debian's own PostgreSQL, whichever version the release has (15 in Debian 12, 17 in Debian 13).
  if [ "$set_name" = dev ]; then echo postgresql; echo fonts-noto-cjk; fi
  exit 0
fi
missing=()
for cmd in "${!need[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then missing+=("${need[$cmd]}"); fi
done
if [ "$set_name" = dev ]; then
  # The city tier's tables: any PostgreSQL server already there (its binaries are not on PATH), else Debian's
  # default version through the `postgresql` metapackage (there is no postgresql-15 in Debian 13).
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then missing+=(postgresql); fi
  # Chinese fonts for the pages and screenshots.
  if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk); fi
fi

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
# One package may serve two commands (systemd).
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
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
