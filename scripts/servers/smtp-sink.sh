# shellcheck shell=bash
# A throwaway SMTP server for the notification tests: Debian's python3-aiosmtpd running scripts/servers/smtp_sink.py,
# which keeps every message it accepts as a file instead of delivering it.
#
#   source scripts/services.sh            # loads this file (it uses services.sh's helpers)
#   bf_install_smtp_sink                  # apt-get install python3-aiosmtpd openssl when missing
#   bf_start_smtp_sink /tmp/run/smtp      # exports BF_TEST_SMTP_HOST/PORT/MAILDIR/CERT_FILE/CERT_SHA256/USER/PASSWORD
#   ...
#   bf_stop_smtp_sink
#
# It listens on 127.0.0.1:${BF_SMTP_SINK_PORT:-2525} only, offers STARTTLS with a self-signed certificate made here
# (CN and subjectAltName 127.0.0.1, so a client must pin its SHA-256 to trust it) and refuses MAIL before STARTTLS.
# AUTH PLAIN/LOGIN is offered after STARTTLS, for ${BF_SMTP_SINK_USER:-notify} / ${BF_SMTP_SINK_PASSWORD:-Smtp-pass1},
# and optional. Each accepted message lands in DATA_DIR/mail as <n>.eml, with <n>.json beside it (envelope, "tls",
# "authenticated"); the .json is written last, so a test that sees it can read both.
# Without the BF_TEST_SMTP_* variables the tests use the dev server started with bf_start_smtp_sink /tmp/bfdev/smtp-sink.
#
# Sourced like scripts/services.sh: no shell options of its own; functions return non-zero with a message.

bf_smtp_sink_log() { echo "[smtp-sink] $*" >&2; }

bf_smtp_sink_error() { echo "[smtp-sink] ERROR: $*" >&2; }

# The system Python: python3-aiosmtpd is installed for it, whatever python3 comes first on PATH (pyenv, venvs).
BF_SMTP_SINK_PYTHON=/usr/bin/python3

bf_smtp_sink_ready() { "$BF_SMTP_SINK_PYTHON" -c 'import aiosmtpd' 2>/dev/null && command -v openssl >/dev/null; }

bf_install_smtp_sink() {
  bf_smtp_sink_ready && return 0
  if [ "$(id -u)" -ne 0 ]; then
    bf_smtp_sink_error "installing the SMTP sink needs root; run: apt-get install python3-aiosmtpd openssl"
    return 1
  fi
  bf_smtp_sink_log "installing the Debian packages 'python3-aiosmtpd' and 'openssl'"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    python3-aiosmtpd openssl >/dev/null || {
    apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
        python3-aiosmtpd openssl >/dev/null
  } || { bf_smtp_sink_error "apt-get install python3-aiosmtpd failed"; return 1; }
  bf_smtp_sink_ready || { bf_smtp_sink_error "python3-aiosmtpd installed, but $BF_SMTP_SINK_PYTHON cannot import aiosmtpd"; return 1; }
}

# bf_start_smtp_sink DATA_DIR
bf_start_smtp_sink() {
  local dir=${1:?usage: bf_start_smtp_sink DATA_DIR}
  local port=${BF_SMTP_SINK_PORT:-2525} user=${BF_SMTP_SINK_USER:-notify} password=${BF_SMTP_SINK_PASSWORD:-Smtp-pass1}
  bf_smtp_sink_ready || { bf_smtp_sink_error "python3-aiosmtpd or openssl is missing (run bf_install_smtp_sink)"; return 1; }
  if bf_port_open "$port"; then
    bf_smtp_sink_error "port $port is already in use; choose a free port with BF_SMTP_SINK_PORT"
    return 1
  fi
  { bf_remove_dir "$dir" && mkdir -p "$dir/mail"; } || return 1

  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >"$dir/openssl.log" 2>&1 ||
    { bf_smtp_sink_error "openssl could not make the certificate; see $dir/openssl.log"; return 1; }
  chmod 600 "$dir/server.key"

  nohup "$BF_SMTP_SINK_PYTHON" "$BF_SCRIPTS_DIR/servers/smtp_sink.py" --port "$port" --maildir "$dir/mail" \
    --cert "$dir/server.crt" --key "$dir/server.key" --user "$user" --password "$password" \
    >"$dir/smtp-sink.log" 2>&1 </dev/null &
  echo $! >"$dir/smtp-sink.pid"
  disown
  BF_SMTP_SINK_DIR=$dir

  bf_await_port "the SMTP sink" "$port" "$dir/smtp-sink.pid" 15 "$dir/smtp-sink.log" ||
    { bf_stop_smtp_sink "$dir" || true; return 1; }

  local fingerprint
  fingerprint=$(openssl x509 -in "$dir/server.crt" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g')
  export BF_TEST_SMTP_HOST=127.0.0.1 BF_TEST_SMTP_PORT=$port BF_TEST_SMTP_MAILDIR=$dir/mail
  export BF_TEST_SMTP_CERT_FILE=$dir/server.crt BF_TEST_SMTP_CERT_SHA256=$fingerprint
  export BF_TEST_SMTP_USER=$user BF_TEST_SMTP_PASSWORD=$password
  bf_smtp_sink_log "SMTP sink up on 127.0.0.1:$port (STARTTLS required, mail in $dir/mail, pid $(cat "$dir/smtp-sink.pid"))"
}

# bf_stop_smtp_sink [DATA_DIR]   (default: the folder of the last bf_start_smtp_sink in this shell)
bf_stop_smtp_sink() {
  local dir=${1:-${BF_SMTP_SINK_DIR:-}}
  [ -n "$dir" ] || return 0
  bf_stop_pidfile "SMTP sink" "$dir/smtp-sink.pid" 50
  bf_remove_dir "$dir"
  [ "${BF_SMTP_SINK_DIR:-}" != "$dir" ] || unset BF_SMTP_SINK_DIR
}
