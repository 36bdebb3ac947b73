#!/usr/bin/env bash
# Installs hallq from a clone (development and test boxes; a hall box installs the .deb, `npm run deb`):
# users, program, config, ID-hash key, voice clips, systemd units with what they need, udev rules. The
# files are laid out by packaging/stage-files.sh, as in the .deb. Run as root:  sudo bash scripts/install.sh
#   --root DIR   install into DIR instead of / (packaging, tests; relative to the caller's folder); skips the
#                Debian packages, the users and systemctl
#   --no-npm     do not run npm ci in the installed copy: its node_modules is already there (else it stops)
#   --modules-separately   with --no-npm: the installed copy's node_modules is provided another way
#                (packaging, tests): install without it, and say so at the end
# The program installed is the compiled build (dist/, `npm run build`), never the TypeScript sources:
# /opt/hallq holds bin/, dist/, config/ and package*.json, and no src/, so bin/hallq.js runs dist.
set -euo pipefail
usage() {
  cat <<'USAGE'
usage: sudo bash scripts/install.sh [--root DIR] [--no-npm [--modules-separately]]
Installs hallq from this clone (development and test boxes; a hall box installs the .deb: npm run deb):
the hallq and hallq-kiosk users, the program (/opt/hallq, the build in dist/), /etc/hallq/hall.yaml, the
ID-hash key, voice clips, the systemd units (server, agent, kiosk, display: none enabled) with what they
need (cursor theme, Chromium policy, /etc/default files), udev rules and modules-load.
  --root DIR             install into DIR instead of / (packaging, tests; relative to the current folder);
                         skips the Debian packages, the users and systemctl
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
# A relative --root is the caller's, not the clone's: resolved before the script moves into the clone.
if [ -n "$root" ]; then root="$(realpath -m -- "$root")"; [ "$root" = / ] && root=""; fi
cd "$(dirname "$0")/.."
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

# What the installed hallq runs with (the .deb's Depends and Recommends), never the development set.
[ "$live" = 1 ] && bash scripts/install-system-deps.sh --runtime

say "program, units, udev rules, modules-load, users, cursor theme, Chromium policy, config → ${root:-/} (packaging/stage-files.sh)"
# The same description the .deb is built from (scripts/build-deb.sh), in a local admin's paths.
bash packaging/stage-files.sh --layout local "${root:-/}"
# npm ci in the installed copy needs the lock.
install -m 644 package-lock.json README.md "$root/opt/hallq/"
if [ "$live" = 1 ]; then
  # The hallq user (dialout lp audio) and hallq-kiosk (the browser units' user), as the .deb's postinst.
  systemd-sysusers /etc/sysusers.d/hallq.conf
fi
if [ "$npm_install" = 1 ]; then (cd "$root/opt/hallq" && npm ci --omit=dev --no-audit --no-fund >&2); fi

mkdir -p "$root/var/lib/hallq"
# The ID-hash key: 32 random bytes, the same on every agent of a hall (copy it to the others).
[ -f "$root/etc/hallq/id-hash.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32))' > "$root/etc/hallq/id-hash.key"
chmod 640 "$root/etc/hallq/id-hash.key"

say "voice clips (espeak-ng) → $root/var/lib/hallq/clips"
# From the installed copy when it has its packages, else from this checkout's build.
program=.; [ -d "$root/opt/hallq/node_modules" ] && program="$root/opt/hallq"
HALLQ_RUN=dist node "$program/bin/hallq.js" --version >&2
node "$program/dist/drivers/voice/generate-clips.js" "$root/var/lib/hallq/clips" >&2

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
if [ -n "$root" ]; then
  # Not this machine's /: hallq is not on this PATH, so the check goes through the tree; the rest is for the box that boots from it.
  cat >&2 <<NEXT
hallq install: done into $root (for the box that boots from it); nothing is enabled yet. Next:
  check the config from here: node $root/opt/hallq/bin/hallq.js config check $root/etc/hallq/hall.yaml
  on that box: edit /etc/hallq/hall.yaml, then: hallq config check /etc/hallq/hall.yaml
NEXT
else
  cat >&2 <<'NEXT'
hallq install: done; nothing is enabled yet. Next:
  edit /etc/hallq/hall.yaml, then: hallq config check /etc/hallq/hall.yaml
NEXT
fi
cat >&2 <<'NEXT'
  broker users and ACL: hallq broker --config /etc/hallq/hall.yaml --out DIR (README, Security)
  systemctl enable --now hallq-server     # on the server box
  systemctl enable --now hallq-agent      # on each mini-PC
  systemctl enable --now hallq-kiosk      # the kiosk's touch screen (or hallq-display on a hall TV)
NEXT
