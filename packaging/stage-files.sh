#!/usr/bin/env bash
# The files hallq installs besides its npm packages, laid out under DEST: the one description that both the
# .deb (scripts/build-deb.sh, --layout deb) and the install from a clone (scripts/install.sh, --layout local)
# use, so the two cannot drift (a unit installed without the user, cursor theme, policy or environment file
# it names). Run from the checkout's top folder:  bash packaging/stage-files.sh --layout deb|local DEST
#   deb    the package's paths: units, udev rules, modules-load and sysusers under /usr/lib, hallq in
#          /usr/bin; every file under /etc is (re)written: dpkg keeps the admin's edits (conffiles).
#   local  a local admin's paths: those under /etc (/etc/systemd/system, …), hallq in /usr/local/bin;
#          an existing hall.yaml or /etc/default file (the admin's edits) is left as it is.
# Both: /opt/hallq (bin/, dist/, config/, package.json), the browsers' cursor theme (/usr/share/hallq/cursors,
# the path the units set), the Chromium policy, /etc/hallq/hallq.schema.json (which hall.yaml's $schema names).
set -euo pipefail
layout="${2:-}"
dest="${3:-}"
if [ "${1:-}" != --layout ] || { [ "$layout" != deb ] && [ "$layout" != local ]; } || [ -z "$dest" ]; then
  echo "usage: bash packaging/stage-files.sh --layout deb|local DEST" >&2
  exit 2
fi
if [ "$layout" = deb ]; then
  lib=usr/lib; units=usr/lib/systemd/system; udev=usr/lib/udev/rules.d; bindir=usr/bin; share=usr/share
else
  lib=etc; units=etc/systemd/system; udev=etc/udev/rules.d; bindir=usr/local/bin; share=usr/local/share
fi
# An admin's file: always in the package (dpkg decides about edits), only when absent locally.
admin_file() { if [ "$layout" = deb ] || [ ! -e "$2" ]; then install -m 644 "$1" "$2"; fi; }

# The program: a reinstall replaces it wholesale (an old dist/ module must not linger); node_modules is not ours here.
mkdir -p "$dest/opt/hallq"
rm -rf "$dest/opt/hallq/dist" "$dest/opt/hallq/bin" "$dest/opt/hallq/config"
tar -cf - bin dist config package.json | tar -xf - -C "$dest/opt/hallq"
chmod 755 "$dest/opt/hallq/bin/hallq.js"
mkdir -p "$dest/$bindir"
ln -sfn /opt/hallq/bin/hallq.js "$dest/$bindir/hallq"

mkdir -p "$dest/$units" "$dest/$udev" "$dest/$lib/modules-load.d" "$dest/$lib/sysusers.d" "$dest/$share/bash-completion/completions" \
  "$dest/usr/share/hallq" "$dest/etc/hallq" "$dest/etc/default" "$dest/etc/chromium/policies/managed"
install -m 644 systemd/hallq-server.service systemd/hallq-agent.service systemd/hallq-kiosk.service systemd/hallq-display.service "$dest/$units/"
install -m 644 systemd/99-hallq.rules "$dest/$udev/"
# The units' DeviceAllow=char-… classes exist only once their kernel modules are loaded (src/ops/README.md).
printf '%s\n' usbserial ch341 ftdi_sio pl2303 cdc_acm usblp > "$dest/$lib/modules-load.d/hallq.conf"
# The users the units run as: hallq (server, agent) and hallq-kiosk (the browsers), made by systemd-sysusers.
install -m 644 packaging/debian/sysusers.conf "$dest/$lib/sysusers.d/hallq.conf"
install -m 644 packaging/bash-completion/hallq "$dest/$share/bash-completion/completions/hallq"
# XCURSOR_PATH in the browser units.
rm -rf "$dest/usr/share/hallq/cursors"
node packaging/make-cursor-theme.mjs "$dest/usr/share/hallq/cursors"

admin_file config/hall.example.yaml "$dest/etc/hallq/hall.yaml"
# hall.yaml's `$schema=./hallq.schema.json` (editor completion) resolves next to it; replaced on every install.
install -m 644 config/hallq.schema.json "$dest/etc/hallq/hallq.schema.json"
# EnvironmentFile= of the browser units: the page's address and cage's options.
admin_file packaging/debian/default-kiosk "$dest/etc/default/hallq-kiosk"
admin_file packaging/debian/default-display "$dest/etc/default/hallq-display"
install -m 644 packaging/chromium-policy.json "$dest/etc/chromium/policies/managed/hallq-kiosk.json"
