#!/usr/bin/env bash
# Installs hallq on a Debian mini-PC or server: user, program, config, ID-hash key, voice clips,
# systemd units and udev rules. Run as root from a checkout:  sudo bash scripts/install.sh
#   --root DIR   install into DIR instead of / (packaging, tests); skips useradd and systemctl
#   --no-npm     do not run npm ci in the installed copy: its node_modules is already there (else it stops)
#   --modules-separately   with --no-npm: the installed copy's node_modules is provided another way
#                (packaging, tests): install without it, and say so at the end
# The program installed is the compiled build (dist/, `npm run build`), never the TypeScript sources:
# /opt/hallq holds bin/, dist/, config/ and package*.json, and no src/, so bin/hallq.js runs dist.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() {
  cat <<'USAGE'
usage: sudo bash scripts/install.sh [--root DIR] [--no-npm [--modules-separately]]
Installs hallq on a Debian mini-PC or server: the hallq user, the program (/opt/hallq, the build in
dist/), /etc/hallq/hall.yaml, the ID-hash key, voice clips, the systemd units (server, agent, kiosk,
display: none enabled) and udev rules.
  --root DIR             install into DIR instead of / (packaging, tests); skips useradd and systemctl
  --no-npm               do not run npm ci in the installed copy: its node_modules is already there
  --modules-separately   with --no-npm: install without node_modules (provided another way), said at the end
  -h, --help             this text
USAGE
}
root=""
npm_install=1
modules_separately=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --root)
      if [ $# -lt 2 ] || [ -z "$2" ] || [ "${2#--}" != "$2" ]; then
        echo "install.sh: --root needs a value, the folder to install into, e.g. --root /tmp/hallq-root" >&2
        exit 2
      fi
      root="${2%/}"; shift 2 ;;
    --root=*) root="${1#--root=}"; root="${root%/}"; [ -n "$root" ] || { echo "install.sh: --root needs a value, the folder to install into, e.g. --root /tmp/hallq-root" >&2; exit 2; }; shift ;;
    --no-npm) npm_install=0; shift ;;
    --modules-separately) modules_separately=1; shift ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
say() { echo "hallq install: $*" >&2; }
die() { echo "hallq install: $*" >&2; exit 1; }
# Before anything is copied: Node, and a build that matches the sources.
node_hint="Debian 13's own nodejs package has it; Debian 12's is 18: install Node 20 from NodeSource
  (https://deb.nodesource.com, \`nodejs\` 20.x for bookworm), see the README, Installing"
command -v node >/dev/null 2>&1 || die "Node.js >= 20.19 is needed and \`node\` is not installed. $node_hint"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || die "Node.js >= 20.19 is needed, found $(node --version). $node_hint"
if [ ! -f dist/BUILD.json ] || [ -n "$(find src drivers -newer dist/BUILD.json -type f ! -name '*.md' -print -quit)" ]; then
  { [ -x node_modules/.bin/tsc ] && [ -d node_modules/esbuild ]; } || die "no up-to-date build in dist/: run \`npm ci && npm run build\` in this checkout first"
  say "building (npm run build)"
  npm run --silent build >&2
fi
# The npm packages the installed program runs with: installed below by npm ci, or already in the target
# (--no-npm). Never run this clone's CLI without its own packages: say which setup step is missing instead.
# The clone's node_modules is never copied: without its own, the installed hallq cannot run (reports,
# server, agent), so --no-npm stops before copying anything unless --modules-separately says so.
if [ "$npm_install" = 0 ] && [ ! -d "$root/opt/hallq/node_modules" ] && [ "$modules_separately" = 0 ]; then
  die "--no-npm, but $root/opt/hallq has no node_modules, and this script does not copy the clone's: the installed hallq could not run. Drop --no-npm (npm ci --omit=dev runs there), or install its packages yourself afterwards (cd $root/opt/hallq && npm ci --omit=dev) and pass --modules-separately"
fi
if [ "$npm_install" = 0 ] && [ ! -d "$root/opt/hallq/node_modules" ] && [ ! -d node_modules ]; then
  die "--no-npm, but neither $root/opt/hallq nor this clone has node_modules (the voice clips are made with them): run \`npm ci\` here first (or drop --no-npm)"
fi
if [ "$npm_install" = 1 ] && ! command -v npm >/dev/null 2>&1; then
  die "npm is needed to install the production packages (apt-get install npm, or use the .deb: npm run deb)"
fi
live=0; [ -z "$root" ] && live=1
[ "$live" = 1 ] && [ "$(id -u)" -ne 0 ] && { echo "install.sh: run as root (sudo), or use --root DIR" >&2; exit 1; }

if [ "$live" = 1 ]; then
  bash scripts/install-system-deps.sh
  id hallq >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/hallq --shell /usr/sbin/nologin hallq
  usermod -a -G dialout,lp,audio hallq
fi

say "program → $root/opt/hallq"
mkdir -p "$root/opt/hallq"
# A reinstall replaces the program wholesale (an old dist/ module must not linger); node_modules stays.
rm -rf "$root/opt/hallq/dist" "$root/opt/hallq/bin"
tar -cf - bin dist config package.json package-lock.json README.md | tar -xf - -C "$root/opt/hallq"
mkdir -p "$root/usr/local/bin"
ln -sfn /opt/hallq/bin/hallq.js "$root/usr/local/bin/hallq"
if [ "$npm_install" = 1 ]; then (cd "$root/opt/hallq" && npm ci --omit=dev --no-audit --no-fund >&2); fi

say "config → $root/etc/hallq"
mkdir -p "$root/etc/hallq" "$root/var/lib/hallq"
[ -f "$root/etc/hallq/hall.yaml" ] || cp config/hall.example.yaml "$root/etc/hallq/hall.yaml"
# The example's `$schema=./hallq.schema.json` (editor completion) resolves next to it; replaced on every install.
install -m 644 config/hallq.schema.json "$root/etc/hallq/hallq.schema.json"
# The ID-hash key: 32 random bytes, the same on every agent of a hall (copy it to the others).
[ -f "$root/etc/hallq/id-hash.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32))' > "$root/etc/hallq/id-hash.key"
chmod 640 "$root/etc/hallq/id-hash.key"

say "voice clips (espeak-ng) → $root/var/lib/hallq/clips"
# From the installed copy when it has its packages, else from this checkout's build.
program=.; [ -d "$root/opt/hallq/node_modules" ] && program="$root/opt/hallq"
HALLQ_RUN=dist node "$program/bin/hallq.js" --version >&2
node "$program/dist/drivers/voice/generate-clips.js" "$root/var/lib/hallq/clips" >&2

say "systemd units, udev rules and modules-load"
mkdir -p "$root/etc/systemd/system" "$root/etc/udev/rules.d"
# All four units, as the .deb (scripts/build-deb.sh); none is enabled here.
install -m 644 systemd/hallq-server.service systemd/hallq-agent.service systemd/hallq-kiosk.service systemd/hallq-display.service "$root/etc/systemd/system/"
install -m 644 systemd/99-hallq.rules "$root/etc/udev/rules.d/"
# The units' DeviceAllow=char-… classes exist only once their kernel modules are loaded (src/ops/README.md).
mkdir -p "$root/etc/modules-load.d"
printf '%s\n' usbserial ch341 ftdi_sio pl2303 cdc_acm usblp > "$root/etc/modules-load.d/hallq.conf"

if [ "$live" = 1 ]; then
  chown -R hallq:hallq /var/lib/hallq
  chgrp hallq /etc/hallq/id-hash.key
fi
# As the .deb's postinst: systemctl only where systemd runs (a container, a chroot or another init has
# no /run/systemd/system); the rest of the install does not depend on it.
if [ "$live" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
else
  say "systemd is not running here (no /run/systemd/system, or --root): skipped systemctl daemon-reload; the units are in $root/etc/systemd/system for the box that boots with systemd"
fi
if [ "$live" = 1 ] && command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload && udevadm trigger || say "udevadm could not reload the rules (no udev running?): they apply at the next boot"
fi
if [ ! -d "$root/opt/hallq/node_modules" ]; then
  say "NOTE: $root/opt/hallq has no node_modules (--modules-separately): hallq will not run until it has them: cd $root/opt/hallq && npm ci --omit=dev"
fi
cat >&2 <<'NEXT'
hallq install: done; nothing is enabled yet. Next:
  edit /etc/hallq/hall.yaml, then: hallq config check /etc/hallq/hall.yaml
  broker users and ACL: hallq broker --config /etc/hallq/hall.yaml --out DIR (README, Security)
  systemctl enable --now hallq-server     # on the server box
  systemctl enable --now hallq-agent      # on each mini-PC
  systemctl enable --now hallq-kiosk      # the kiosk's touch screen (or hallq-display on a hall TV)
NEXT
