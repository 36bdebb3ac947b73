#!/usr/bin/env bash
# Installs hallq on a Debian mini-PC or server: user, program, config, ID-hash key, voice clips,
# systemd units and udev rules. Run as root from a checkout:  sudo bash scripts/install.sh
#   --root DIR   install into DIR instead of / (packaging, tests); skips useradd and systemctl
#   --no-npm     do not run npm ci in the installed copy (it is already there)
set -euo pipefail
cd "$(dirname "$0")/.."
root=""
npm_install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2%/}"; shift 2 ;;
    --no-npm) npm_install=0; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
say() { echo "hallq install: $*" >&2; }
live=0; [ -z "$root" ] && live=1
[ "$live" = 1 ] && [ "$(id -u)" -ne 0 ] && { echo "install.sh: run as root (sudo), or use --root DIR" >&2; exit 1; }

if [ "$live" = 1 ]; then
  bash scripts/install-system-deps.sh
  id hallq >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/hallq --shell /usr/sbin/nologin hallq
  usermod -a -G dialout,lp,audio hallq
fi

say "program → $root/opt/hallq"
mkdir -p "$root/opt/hallq"
tar --exclude=./node_modules --exclude=./.git -cf - . | tar -xf - -C "$root/opt/hallq"
if [ "$npm_install" = 1 ]; then (cd "$root/opt/hallq" && npm ci --omit=dev --no-audit --no-fund >&2); fi

say "config → $root/etc/hallq"
mkdir -p "$root/etc/hallq" "$root/var/lib/hallq"
[ -f "$root/etc/hallq/hall.yaml" ] || cp config/hall.example.yaml "$root/etc/hallq/hall.yaml"
# The ID-hash key: 32 random bytes, the same on every agent of a hall (copy it to the others).
[ -f "$root/etc/hallq/id-hash.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32))' > "$root/etc/hallq/id-hash.key"
chmod 640 "$root/etc/hallq/id-hash.key"

say "voice clips (espeak-ng) → $root/var/lib/hallq/clips"
node bin/hallq.js --help >/dev/null
npx tsx drivers/voice/generate-clips.ts "$root/var/lib/hallq/clips" >&2

say "systemd units and udev rules"
mkdir -p "$root/etc/systemd/system" "$root/etc/udev/rules.d"
install -m 644 systemd/hallq-server.service systemd/hallq-agent.service "$root/etc/systemd/system/"
install -m 644 systemd/99-hallq.rules "$root/etc/udev/rules.d/"

if [ "$live" = 1 ]; then
  chown -R hallq:hallq /var/lib/hallq
  chgrp hallq /etc/hallq/id-hash.key
  systemctl daemon-reload
  udevadm control --reload && udevadm trigger || true
  cat >&2 <<'NEXT'
hallq install: done. Next:
  edit /etc/hallq/hall.yaml, then: hallq config check /etc/hallq/hall.yaml
  broker users and ACL: src/ops/README.md (Mosquitto)
  systemctl enable --now hallq-server   # on the server box
  systemctl enable --now hallq-agent    # on each mini-PC
NEXT
fi
