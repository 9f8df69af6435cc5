#!/usr/bin/env bash
# The whole test suite (README "Quick start"): installs what the tests need, then runs unit,
# integration (real SQLite, PostgreSQL and VMware's simulator) and end-to-end tests.
# Extra arguments are test files to run instead of all of them.
source "$(dirname "$0")/setup-lib.sh"

# LibreOffice opens every report kind; poppler renders its PDFs to check the charts.
# promtool (Debian prometheus) checks every metrics textfile and the alert rules; systemd-analyze the units.
# slapd and ldap-utils: a real OpenLDAP for `vctp serve` logins; chromium renders the UI pages.
# rpm builds and lists the .rpm (packaging/build.sh), binutils' objdump reads the bundled binaries'
# glibc needs, openssl makes the .deb's TLS pair.
apt_install golang-go golang-github-vmware-govmomi-dev postgresql ca-certificates libreoffice-calc-nogui poppler-utils prometheus systemd slapd ldap-utils chromium fonts-dejavu-core rpm binutils openssl
ensure_node_modules
ensure_build
ensure_vcsim
ensure_postgres

cd "$ROOT"
say "type-checking sources and tests"
npx tsc -p tsconfig.test.json

if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
say "running ${#files[@]} test files"
log="$(mktemp)"
status=0
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log" || status=$?
# The plain closing line every CI reader understands, from the spec reporter's summary.
passed="$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)"
failed="$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)"
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
