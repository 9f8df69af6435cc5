#!/bin/sh
# /usr/lib/vctp/packaging/configure.sh: the post-install steps the .deb (postinst configure) and the
# .rpm (%post) share. Idempotent: everything is created only when absent, so an upgrade or a
# re-run (`dpkg-reconfigure vctp`, or this script as root) keeps what the operator changed. No
# network access. The systemd timers are enabled by the package scripts themselves (deb-systemd-helper
# or systemctl), not here.
#   1. the system user and group vctp (systemd-sysusers with /usr/lib/sysusers.d/vctp.conf, else useradd)
#   2. /var/lib/vctp and /var/lib/vctp/reports (vctp:vctp 0750), /etc/dtms (root 0755)
#   3. /etc/dtms/vctp.yml from /usr/lib/vctp/vctp.yml.example (root:vctp 0640)
#   4. an auth_jwt_signing_key in it when it has none (jwt-key.mjs, run by the bundled Node)
#   5. a self-signed TLS pair /etc/dtms/vctp.crt (0644) and vctp.key (root:vctp 0640) when both are
#      absent, made by openssl; without openssl it says so and carries on (vctp serve then needs a
#      pair, or bind_disable_tls: true; the timers need none)
set -eu

APP=/usr/lib/vctp
ETC=/etc/dtms
SETTINGS="$ETC/vctp.yml"
STATE=/var/lib/vctp
NODE="$APP/node/bin/node"

say() { echo "vctp: $*"; }

# ---- 1. user ------------------------------------------------------------------------------------
if ! getent passwd vctp >/dev/null; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers /usr/lib/sysusers.d/vctp.conf >/dev/null 2>&1 || true
  fi
  if ! getent passwd vctp >/dev/null; then
    nologin=/usr/sbin/nologin
    [ -x "$nologin" ] || nologin=/sbin/nologin
    getent group vctp >/dev/null || groupadd --system vctp
    useradd --system --gid vctp --home-dir "$STATE" --no-create-home --shell "$nologin" \
      --comment "vctp vSphere chargeback tracker" vctp
  fi
  say "created the system user vctp"
fi

# ---- 2. directories -----------------------------------------------------------------------------
make_dir() { # path owner:group mode
  if [ ! -d "$1" ]; then
    mkdir -p "$1"
    chown "$2" "$1"
    chmod "$3" "$1"
  fi
}
make_dir "$ETC" root:root 0755
make_dir "$STATE" vctp:vctp 0750
make_dir "$STATE/reports" vctp:vctp 0750

# ---- 3. settings ----------------------------------------------------------------------------------
# Written to a temporary name and renamed: an interrupted install never leaves half a file that
# the next run would take as the operator's.
if [ ! -e "$SETTINGS" ] && [ ! -L "$SETTINGS" ]; then
  tmp="$ETC/.vctp.yml.new.$$"
  install -m 0640 -o root -g vctp "$APP/vctp.yml.example" "$tmp"
  mv "$tmp" "$SETTINGS"
  say "wrote $SETTINGS from the example: edit it (vcenter_addresses, credentials) or run vctp init --force, then check with: runuser -u vctp -- vctp doctor"
fi

# ---- 4. JWT signing key ----------------------------------------------------------------------------
if [ -f "$SETTINGS" ]; then
  "$NODE" "$APP/packaging/jwt-key.mjs" "$SETTINGS" || say "could not add auth_jwt_signing_key to $SETTINGS; add one with: openssl rand -base64 48"
fi

# ---- 5. TLS pair ------------------------------------------------------------------------------------
CRT="$ETC/vctp.crt"
KEY="$ETC/vctp.key"
if [ ! -e "$CRT" ] && [ ! -e "$KEY" ]; then
  if command -v openssl >/dev/null 2>&1; then
    name="$(hostname -f 2>/dev/null || uname -n)"
    [ -n "$name" ] || name=localhost
    if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -days 825 -nodes \
      -subj "/CN=$name" -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1,IP:::1" \
      -keyout "$KEY.new.$$" -out "$CRT.new.$$" >/dev/null 2>&1; then
      chown root:vctp "$KEY.new.$$" && chmod 0640 "$KEY.new.$$"
      chown root:vctp "$CRT.new.$$" && chmod 0644 "$CRT.new.$$"
      mv "$KEY.new.$$" "$KEY"
      mv "$CRT.new.$$" "$CRT"
      say "generated a self-signed TLS pair for $name: $CRT, $KEY (valid 825 days)"
    else
      rm -f "$KEY.new.$$" "$CRT.new.$$"
      say "openssl could not make a TLS pair; vctp serve needs $CRT and $KEY (or bind_disable_tls: true)"
    fi
  else
    say "openssl is not installed: no TLS pair made. vctp serve needs $CRT and $KEY (or bind_disable_tls: true); install openssl and run $APP/packaging/configure.sh to make one"
  fi
elif [ ! -e "$CRT" ] || [ ! -e "$KEY" ]; then
  say "only one of $CRT and $KEY exists: left as it is (vctp serve needs both)"
fi
exit 0
