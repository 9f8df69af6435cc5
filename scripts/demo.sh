#!/usr/bin/env bash
# npm run demo (README "Quick start"): vctp end to end on a fresh Debian machine with no vCenter.
# Installs only what is missing (Go and govmomi from Debian for VMware's simulator, the npm
# packages), builds vctp, then hands over to `vctp demo`, which builds and starts the simulator,
# captures a few days of hourly history with changes into SQLite under demo/, aggregates them and
# writes the workbooks into reports/. Arguments go to `vctp demo`: npm run demo -- --days 5
source "$(dirname "$0")/setup-lib.sh"
set -euo pipefail

apt_install golang-go golang-github-vmware-govmomi-dev
ensure_node_modules
ensure_build

cd "$ROOT"
exec ./bin/vctp demo "$@"
