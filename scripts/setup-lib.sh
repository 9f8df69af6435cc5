# Shared set-up steps for scripts/test.sh and scripts/demo.sh. Every step is idempotent and
# installs what is missing on a fresh Debian machine (run as root, as CI does; uses sudo otherwise).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && sudo -u postgres "$@"); fi
}

say() { printf '\n==> %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node_modules() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing npm packages"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

ensure_build() {
  say "building vctp"
  (cd "$ROOT" && npm run --silent build)
}

ensure_vcsim() {
  bash "$ROOT/scripts/build-vcsim.sh"
}

# PostgreSQL for the tests: started when installed but stopped, installed when missing. Tests log
# in as a dedicated role with a password, which works with Debian's default pg_hba.conf as well as
# with trust authentication.
ensure_postgres() {
  apt_install postgresql
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    say "starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  local has_role
  has_role="$(as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'vctp_test'" 2>/dev/null || true)"
  if [ "$has_role" != "1" ]; then
    say "creating PostgreSQL role vctp_test"
    as_postgres psql -qc "CREATE ROLE vctp_test LOGIN CREATEDB PASSWORD 'vctp_test'"
  fi
  export VCTP_TEST_PG_URL="postgres://vctp_test:vctp_test@127.0.0.1:5432/postgres"
}
