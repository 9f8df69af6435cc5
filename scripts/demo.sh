#!/usr/bin/env bash
# npm run demo (README "Quick start"): vctp end to end on a fresh Debian machine with no vCenter.
# Installs what is missing, builds vctp and VMware's simulator (test/vcsim), then captures four
# hourly snapshots of the simulator into SQLite while it powers off, resizes, moves, destroys and
# creates VMs between them, and prints `vctp status` and a peek at the hourly rows.
# Everything it writes lands in demo/ (settings, database, the simulator's certificates and log),
# which is recreated on every run and left behind to explore.
source "$(dirname "$0")/setup-lib.sh"
set -euo pipefail

apt_install golang-go golang-github-vmware-govmomi-dev
ensure_node_modules
ensure_build
VCSIM_BIN="$(ensure_vcsim)"

cd "$ROOT"
DEMO="$ROOT/demo"
SETTINGS="$DEMO/vctp.yml"
VCTP=(./bin/vctp -s "$SETTINGS")

# ---- the simulator: started here, stopped on every way out ----------------------------------

VCSIM_PID=""
stop_simulator() {
  local rc=$?
  if [ -n "$VCSIM_PID" ] && kill -0 "$VCSIM_PID" 2>/dev/null; then
    # SIGTERM lets it remove its datastore files; it exits within a second.
    kill "$VCSIM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$VCSIM_PID" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$VCSIM_PID" 2>/dev/null || kill -9 "$VCSIM_PID"
  fi
  [ "$rc" -eq 0 ] || say "demo failed (exit $rc): see above; the simulator's own log is demo/vcsim.log"
  exit "$rc"
}
trap stop_simulator EXIT
# A signal becomes an ordinary exit so that the EXIT trap above runs for it too.
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh demo/ each run: an old database would refuse snapshot times not later than its latest.
rm -rf "$DEMO"
mkdir -p "$DEMO"

# The simulator accepts only this pair. A random password keeps other local users out while it
# runs, and shows that vctp encrypts whatever plaintext it finds.
VC_USER=demo
VC_PASSWORD="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

say "starting VMware's vCenter simulator (1 datacenter, 2 clusters, 120 VMs)"
# Backgrounded as a direct child: besides the trap, the simulator exits by itself when this
# script dies (it asks Linux for PR_SET_PDEATHSIG), so even a kill -9 leaves nothing running.
"$VCSIM_BIN" -dc 1 -cluster 2 -host 2 -vm 40 -cert-dir "$DEMO/certs" \
  -username "$VC_USER" -password "$VC_PASSWORD" >"$DEMO/vcsim.json" 2>"$DEMO/vcsim.log" &
VCSIM_PID=$!

# It prints one JSON line (url, ca_file, ...) once it listens.
for _ in $(seq 1 600); do
  [ "$(wc -l <"$DEMO/vcsim.json")" -ge 1 ] && break
  kill -0 "$VCSIM_PID" 2>/dev/null || { cat "$DEMO/vcsim.log" >&2; echo "the simulator exited before listening" >&2; exit 1; }
  sleep 0.1
done
[ "$(wc -l <"$DEMO/vcsim.json")" -ge 1 ] || { echo "the simulator did not start within 60 s" >&2; exit 1; }

# No jq on a fresh Debian; node is here anyway. Values come out JSON-quoted, which YAML reads as is.
vcsim_field() {
  node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
           if (v === undefined) process.exit(1); console.log(JSON.stringify(v))' "$DEMO/vcsim.json" "$1"
}
VC_URL="$(vcsim_field url)"
VC_CA_FILE="$(vcsim_field ca_file)"
DB_FILE="$(node -p 'JSON.stringify(process.argv[1])' "$DEMO/db.sqlite3")"
echo "  simulator at ${VC_URL//\"/} (user $VC_USER, TLS verified against its own CA)"

# ---- settings: the embedded SQLite default, the simulator as the only vCenter ---------------

# The password is plaintext on purpose: vctp encrypts it in place on first use. encryption_key
# makes the enc:v1: value independent of this host's machine-id (the default key source).
cat >"$SETTINGS" <<EOF
# Written by scripts/demo.sh for the vCenter simulator it started; recreated on every run.
settings:
  log_output: text
  database_url: $DB_FILE
  vcenter_addresses:
    - $VC_URL
  vcenter_username: $VC_USER
  vcenter_password: $VC_PASSWORD
  vcenter_ca_file: $VC_CA_FILE
  # demo only: a real installation keeps the key out of the file, or lets vctp derive one per host
  encryption_key: demo-only-key
  # a failing attempt is retried after 5 s instead of 5 minutes
  hourly_snapshot_retry_seconds: 5
  reports_dir: $(node -p 'JSON.stringify(process.argv[1])' "$DEMO/reports")
EOF

# ---- four simulated hours, with changes in between -----------------------------------------

# Snapshots are recorded with --at on yesterday's clock so the demo needs no hour of waiting.
DAY="$(date -u -d yesterday +%F)"

snapshot() {
  say "vctp snapshot --at ${DAY}T$1:00:00Z"
  # warn: the table says what each snapshot stored; info would add a block of log fields per run.
  "${VCTP[@]}" --log-level warn snapshot --at "${DAY}T$1:00:00Z"
}

change() {
  say "changing the simulator's inventory"
  npx --no-install tsx scripts/demo/change-inventory.ts "$DEMO/vcsim.json" "$1"
}

snapshot 09
# The first use rewrote the plaintext password in place; show it (abridged), and fail if not.
encrypted="$(grep -oE 'vcenter_password: enc:v1:[^ ]+' "$SETTINGS")" ||
  { echo "vctp left vcenter_password in $SETTINGS unencrypted" >&2; exit 1; }
echo "  demo/vctp.yml now says ${encrypted:0:37}... (it was written in plaintext)"
change 1
snapshot 10
change 2
snapshot 11
change 3
snapshot 12

# ---- what vctp stored ----------------------------------------------------------------------

say "vctp status"
"${VCTP[@]}" status

say "hourly rows of the resized and the moved VM (vm_hourly_stats)"
npx --no-install tsx scripts/demo/peek-hourly.ts "$DEMO/db.sqlite3"

# The day's summary (4 of 24 snapshots: the status above flags the 20 missed) and its workbook.
say "vctp aggregate daily --date $DAY"
"${VCTP[@]}" --log-level warn aggregate daily --date "$DAY"
say "vctp report daily --date $DAY"
"${VCTP[@]}" --log-level warn report daily --date "$DAY"

say "done: demo/ keeps the settings and the database"
cat <<EOF
  ./bin/vctp -s demo/vctp.yml status                                # reads only the database
  ./bin/vctp -s demo/vctp.yml trace DC0_C0_VM27                     # one VM hour by hour
  ls demo/reports/daily/                                            # the XLSX workbook
  sqlite3 demo/db.sqlite3 'SELECT * FROM vm_hourly_stats LIMIT 5'   # apt-get install sqlite3
  (the simulator has stopped, so a further vctp snapshot with these settings fails to connect)
EOF
