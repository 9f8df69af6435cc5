#!/usr/bin/env bash
# The whole test suite (README "Quick start"): installs what the tests need, then runs unit,
# integration (real SQLite, PostgreSQL and VMware's simulator) and end-to-end tests.
# Extra arguments are test files to run instead of all of them.
source "$(dirname "$0")/setup-lib.sh"

# LibreOffice opens every report kind; poppler renders its PDFs to check the charts.
apt_install golang-go golang-github-vmware-govmomi-dev postgresql ca-certificates libreoffice-calc-nogui poppler-utils
ensure_node_modules
ensure_build
ensure_vcsim
ensure_postgres

cd "$ROOT"
say "type-checking sources and tests"
npx tsc -p tsconfig.test.json

if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
say "running ${#files[@]} test files"
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
