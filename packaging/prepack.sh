#!/usr/bin/env bash
# npm's prepack (package.json): `npm pack` / `npm publish` from a checkout put dist/ in the tarball,
# so build it when it is missing or older than a source file. A current dist/ is left alone (the
# test suite runs bin/vctp from it while packing). Needs the devDependencies (typescript) only when
# it builds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f dist/cli/main.js ] || [ -n "$(find src tsconfig.json package.json -newer dist/cli/main.js -print -quit)" ]; then
  echo "prepack: dist/ is missing or older than src/: npm run build" >&2
  npm run --silent build
fi
