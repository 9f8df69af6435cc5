#!/usr/bin/env bash
# Builds test/vcsim/vcsim: VMware's govmomi simulator (Debian's golang-github-vmware-govmomi-dev,
# 0.24) with our main in test/vcsim/. GOPATH mode against /usr/share/gocode, so it needs only
# Debian's packages: no Go module proxy, no network beyond the Debian mirror.
# Idempotent: installs what is missing (as root), and skips the build when the binary is newer
# than every .go source. Prints the binary's path on stdout; everything else goes to stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test/vcsim"
bin="$src/vcsim"
gopath=/usr/share/gocode
govmomi="$gopath/src/github.com/vmware/govmomi/simulator"

log() { echo "build-vcsim: $*" >&2; }

install_deps() {
  local pkgs=(golang-go golang-github-vmware-govmomi-dev)
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      log "need root to apt-get install ${pkgs[*]}"; return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "installing ${pkgs[*]}"
  if ! "${sudo[@]}" apt-get install -y -q "${pkgs[@]}" >&2; then
    log "install failed; running apt-get update and retrying"
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q "${pkgs[@]}" >&2
  fi
}

go_bin() {
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  # golang-go provides /usr/bin/go; the versioned package alone puts it under /usr/lib.
  for g in /usr/lib/go/bin/go /usr/lib/go-*/bin/go; do
    [ -x "$g" ] && { echo "$g"; return; }
  done
  return 1
}

if ! go_bin >/dev/null || [ ! -d "$govmomi" ]; then
  install_deps
fi
go="$(go_bin)" || { log "go not found after install"; exit 1; }

up_to_date() {
  [ -x "$bin" ] && [ ! "${BASH_SOURCE[0]}" -nt "$bin" ] &&
    [ -z "$(find "$src" -maxdepth 1 -name '*.go' -newer "$bin" -print -quit)" ]
}

if up_to_date; then echo "$bin"; exit 0; fi

# Test files run in parallel processes: let one build while the others wait for it.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/vctp-build-vcsim.lock"
  flock 9
  if up_to_date; then echo "$bin"; exit 0; fi
fi

cache="${GOCACHE:-}"
if [ -z "$cache" ]; then
  if [ -n "${HOME:-}" ] && mkdir -p "$HOME/.cache/go-build" 2>/dev/null && [ -w "$HOME/.cache/go-build" ]; then
    cache="$HOME/.cache/go-build"
  else
    cache="${TMPDIR:-/tmp}/vctp-go-build"
  fi
fi
mkdir -p "$cache"

log "building $bin"
start=$(date +%s)
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(
  cd "$src"
  GO111MODULE=off GOPATH="$gopath" GOCACHE="$cache" GOFLAGS= \
    "$go" build -o "$tmp" .
)
mv -f "$tmp" "$bin"
log "built in $(( $(date +%s) - start ))s"
echo "$bin"
