#!/usr/bin/env bash
# `npm run deb`: builds hallq_<version>_<arch>.deb with dpkg-deb, for the architecture of this machine
# (the native npm modules in node_modules were built or fetched for it).
#   --out DIR          where the .deb goes (default: the checkout)
#   --version V        the package version (default: package.json's; the package test builds an upgrade)
#   --fast             gzip -1 (the package test: the same files, seconds instead of minutes)
# What the package holds (README, "Installing"): the compiled program in /opt/hallq (bin/, dist/, config/,
# package.json) with its production npm packages — copied from this checkout's node_modules, the list from
# package-lock.json (packaging/production-packages.mjs), pruned of what never loads (packaging/prune-modules.mjs),
# nothing fetched: a hall box installs it offline with nothing but Debian's packages; the files
# packaging/stage-files.sh lays out (shared with scripts/install.sh): /usr/bin/hallq, the systemd units
# (server, agent, kiosk and hall-display browsers), udev rules, modules-load and sysusers files, the cursor
# theme and Chromium policy of the browsers, the example config as /etc/hallq/hall.yaml and its JSON schema
# (conffiles), bash completion; the maintainer scripts from packaging/debian/ (they enable nothing).
# The native modules are built for this Node's module ABI, so the package depends on this Node's major only.
set -euo pipefail
cd "$(dirname "$0")/.."
out="."
# xz takes minutes on 200 MB of modules; --fast (the package test) uses gzip -1.
compress="-Zxz"
version="$(node -p 'require("./package.json").version')"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2%/}"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --fast) compress="-Zgzip -z1"; shift ;;
    *) echo "build-deb: unknown option $1" >&2; exit 2 ;;
  esac
done
say() { echo "hallq deb: $*" >&2; }
die() { echo "hallq deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb is needed (Debian's dpkg package)"
command -v strip >/dev/null || die "strip is needed (Debian's binutils package)"
[ -d node_modules ] || die "no node_modules in this checkout: run \`npm ci\` first (the package carries its production modules)"
arch="$(dpkg --print-architecture)"
case "$arch" in
  amd64) node_arch=x64 ;;
  arm64) node_arch=arm64 ;;
  armhf) node_arch=arm ;;
  *) die "architecture $arch: no prebuilt native modules known for it" ;;
esac
[ "$(node -p process.arch)" = "$node_arch" ] || die "node is $(node -p process.arch) but dpkg says $arch"
# better-sqlite3, serialport, node-hid: compiled (or fetched) for this Node's module ABI (process.versions.modules),
# which changes with each major: another major installs fine and then cannot load them. So the package accepts
# this major only, from package.json's engines floor (20.19: Debian 13's own nodejs satisfies it) or the major's .0.
node_major="$(node -p 'process.versions.node.split(".")[0]')"
node_abi="$(node -p process.versions.modules)"
[ "$node_major" -ge 20 ] || die "node $(node --version): hallq needs Node >= 20.19 to build and run"
node_floor="$(node -p '((v, m) => (v.startsWith(m + ".") ? v : m + ".0"))(require("./package.json").engines.node.replace(/^>=\s*/, ""), process.versions.node.split(".")[0])')"
node_depends="nodejs (>= $node_floor), nodejs (<< $((node_major + 1)))"

# The build, as scripts/install.sh decides it: when dist/ is missing or older than a source file.
if [ ! -f dist/BUILD.json ] || [ -n "$(find src drivers -newer dist/BUILD.json -type f ! -name '*.md' -print -quit)" ]; then
  say "building (npm run build)"
  npm run --silent build >&2
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/hallq"
opt="$pkg/opt/hallq"
mkdir -p "$pkg/DEBIAN"

say "program, PATH, units, udev, modules-load, sysusers, cursors, policy, completion, config (packaging/stage-files.sh)"
# The same description scripts/install.sh lays out from (--layout local).
bash packaging/stage-files.sh --layout deb "$pkg"
# The conffiles: every file under /etc (hall.yaml, its schema, /etc/default/hallq-kiosk and -display, the policy).
(cd "$pkg" && find etc -type f | sort | sed 's|^|/|') > "$pkg/DEBIAN/conffiles"

say "production npm packages (from package-lock.json) → /opt/hallq/node_modules"
modules="$(realpath node_modules)"
# One path a line (node_modules/…), from the lock, never from what node_modules happens to hold (a node_modules
# not made by npm ci carries extraneous packages); each package is copied without its nested node_modules,
# which are listed (and copied) on their own when they are production packages.
node packaging/production-packages.mjs . > "$stage/packages" || die "node_modules does not match package-lock.json: run \`npm ci\` first"
[ -s "$stage/packages" ] || die "package-lock.json lists no production packages"
node - "$modules" "$opt/node_modules" "$node_arch" "$stage/packages" <<'JS'
const { cpSync, existsSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { basename, join } = require('node:path');
const [from, to, arch, list] = process.argv.slice(2);
let n = 0;
for (const line of readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
  const rel = line.replace(/^node_modules\//, '');
  const src = join(from, rel);
  cpSync(src, join(to, rel), { recursive: true, filter: (p) => p === src || basename(p) !== 'node_modules' });
  n += 1;
}
// Native code for other systems (prebuilds/<platform>-<arch>) is dead weight a Debian box can never load,
// and so are better-sqlite3's build intermediates and the SQLite sources: its loader needs only build/Release/better_sqlite3.node.
const wanted = (d) => d.startsWith(`linux-${arch}`) || d.startsWith(`HID-linux-${arch}`) || d.startsWith(`HID_hidraw-linux-${arch}`);
for (const dir of [join(to, 'node-hid/prebuilds'), join(to, '@serialport/bindings-cpp/prebuilds')]) {
  if (!existsSync(dir)) continue;
  for (const d of readdirSync(dir)) if (!wanted(d) || d.endsWith('-musl')) rmSync(join(dir, d), { recursive: true });
}
for (const f of ['build/Release/obj', 'build/Release/obj.target', 'build/Release/.deps', 'build/Release/test_extension.node', 'build/Release/sqlite3.a', 'build/deps', 'deps', 'src']) {
  rmSync(join(to, 'better-sqlite3', f), { recursive: true, force: true });
}
// node-hid loads its prebuilt binary (prebuilds/); hidapi/ is the C library's source tree with its Windows and
// macOS test programs. fastify's integration/ is its own load test (a shell script), never required.
for (const d of ['node-hid/hidapi', 'fastify/integration']) rmSync(join(to, d), { recursive: true, force: true });
console.error(`hallq deb: ${n} packages`);
JS
# Static musl builds of the same module (serialport ships both in one folder): glibc only on Debian.
find "$opt/node_modules" -name '*.musl.node' -delete
# Tests, examples, docs, TypeScript sources, source maps and the packages' development files: never loaded.
node packaging/prune-modules.mjs "$opt/node_modules"
# better-sqlite3 as npm compiled it carries its debugging symbols (lintian: unstripped-binary-or-object);
# the prebuilt modules come stripped. Its dynamic symbols (what Node's loader uses) stay.
strip --strip-unneeded "$opt/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
# Node does not need the executable bit on JavaScript, and lintian rightly asks why a library file has it.
find "$opt/node_modules" -type f -perm /111 ! -path '*/bin/*' -exec chmod 644 {} +

# bin/hallq.js reads it to say what is wrong when the Node on the box is another major (instead of a dlopen error).
printf '{"node":"%s","modules":"%s"}\n' "$(node -p process.versions.node)" "$node_abi" > "$opt/node-abi.json"

say "docs"
mkdir -p "$pkg/usr/share/doc/hallq"
gzip -9n < README.md > "$pkg/usr/share/doc/hallq/README.md.gz"
year="$(date -u +%Y)"
cat > "$pkg/usr/share/doc/hallq/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: hallq
Comment: /opt/hallq/node_modules holds the npm packages hallq runs with, each under its own licence
 (see each package's LICENSE file and package.json there).

Files: *
Copyright: $year hallq contributors
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 associated documentation files (the "Software"), to deal in the Software without restriction, including
 without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
 following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or substantial
 portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
 LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
 EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
 IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
 THE USE OR OTHER DEALINGS IN THE SOFTWARE.
COPY
cat > "$stage/changelog" <<CHANGES
hallq ($version) unstable; urgency=medium

  * Built from the hallq repository by scripts/build-deb.sh (see the git log for changes).

 -- hallq maintainers <hallq@localhost>  $(date -u -R)
CHANGES
gzip -9n < "$stage/changelog" > "$pkg/usr/share/doc/hallq/changelog.gz"
mkdir -p "$pkg/usr/share/lintian/overrides"
install -m 644 packaging/debian/lintian-overrides "$pkg/usr/share/lintian/overrides/hallq"

say "control and maintainer scripts"
install -m 755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$pkg/DEBIAN/"
size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: hallq
Version: $version
Architecture: $arch
Maintainer: hallq maintainers <hallq@localhost>
Installed-Size: $size
Depends: $node_depends, systemd | systemd-sysusers, alsa-utils, libc6, libstdc++6, libgcc-s1
Recommends: mosquitto, espeak-ng
Suggests: cage, chromium, fonts-noto-cjk, libusb-1.0-0, libudev1, mosquitto-clients
Section: misc
Priority: optional
Homepage: https://github.com/hallq/hallq
Description: queue and calling controller for government service halls
 hallq runs a government service hall's queue (政务服务大厅 排队叫号): the hall
 server (SQLite event log, dispatcher, HTTP pages, SMS) and the agents that
 drive ticket printers, ID-card readers, RS-485 LED screens and keypads, the
 voice and the kiosk page, over MQTT.
 .
 The package carries its production npm modules (built for this architecture)
 and downloads nothing at install time. It enables no service: see
 /usr/share/doc/hallq/README.md.gz, "Installing".
CONTROL
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/hallq_${version}_${arch}.deb"
dpkg-deb --root-owner-group $compress --build "$pkg" "$deb" >/dev/null
say "$deb ($(du -h "$deb" | cut -f1))"
echo "$deb"
