# shellcheck shell=bash
# Throwaway servers for the test run: Azurite (Blob/Queue/Table) and a PostgreSQL cluster.
#
#   source scripts/services.sh
#   bf_ensure_prerequisites
#   bf_start_azurite  /tmp/run/azurite     # exports BF_TEST_AZURITE
#   bf_start_postgres /tmp/run/postgres    # exports BF_TEST_PG_HOST, BF_TEST_PG_PORT, BF_TEST_PG_BIN, BF_TEST_PG_ROOT_CERT
#   ...
#   bf_stop_postgres; bf_stop_azurite
#
# Ports come from BF_AZURITE_BLOB_PORT/BF_AZURITE_QUEUE_PORT/BF_AZURITE_TABLE_PORT (10000/10001/10002) and
# BF_PG_PORT (55432), so a second set of servers can run beside a developer's own.
# Every server listens on 127.0.0.1 only. A data folder is created empty on start and removed on stop: no test
# may depend on what an earlier run left behind.
#
# This file is sourced, so it sets no shell options of its own; the functions return non-zero with a message on
# stderr when something fails, and work under the caller's `set -euo pipefail`.

BF_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BF_AZURITE="$BF_SCRIPTS_DIR/node_modules/.bin/azurite"

# Azurite's fixed development account (public, documented by Microsoft; not a secret).
BF_AZURITE_ACCOUNT=devstoreaccount1
BF_AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

bf_log() { echo "[services] $*" >&2; }

bf_error() { echo "[services] ERROR: $*" >&2; }

# True when something accepts TCP connections on 127.0.0.1:$1.
bf_port_open() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bf_await_port LABEL PORT PIDFILE SECONDS LOG...: waits until 127.0.0.1:PORT answers. Fails, printing the last lines
# of the LOGs, when the process in PIDFILE has exited or SECONDS have passed; the caller then stops what it started.
bf_await_port() {
  local label=$1 port=$2 pidfile=$3 deadline=$((SECONDS + $4)) pid
  shift 4
  until bf_port_open "$port"; do
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; } || [ "$SECONDS" -ge "$deadline" ]; then
      bf_error "$label did not answer on 127.0.0.1:$port; last lines of $*:"
      tail -n 20 "$@" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
}

# The newest installed PostgreSQL's bin folder (Debian layout), or nothing.
bf_pg_bin_dir() {
  local dirs
  dirs=$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' || true)
  [ -n "$dirs" ] || return 0
  dirname "$(sort -V <<<"$dirs" | tail -n 1)"
}

# Runs a command as the 'postgres' user when we are root: initdb and the server refuse to run as root.
bf_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Removes a data folder, refusing the paths a mistake (an empty variable) would produce.
bf_remove_dir() {
  case "$1" in
    "" | "/" | "$HOME" | /usr | /usr/* | /etc | /etc/* | /var | /var/lib | /var/lib/*) bf_error "refusing to remove '$1'"; return 1 ;;
  esac
  rm -rf -- "$1"
}

# bf_stop_pidfile LABEL PIDFILE [TENTHS]: SIGTERM to the pid in PIDFILE, up to TENTHS/10 s (default 100) for it to
# exit, then SIGKILL: a leftover server holds its ports for the next run. Quiet when there is nothing to stop.
bf_stop_pidfile() {
  local label=$1 pidfile=$2 tenths=${3:-100} pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 "$tenths"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  bf_log "$label (pid $pid) ignored SIGTERM; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

bf_ensure_prerequisites() {
  if [ -z "$(bf_pg_bin_dir)" ]; then
    bf_log "PostgreSQL server not found: installing the Debian package 'postgresql'"
    if [ "$(id -u)" -ne 0 ]; then
      bf_error "installing PostgreSQL needs root; run: apt-get install postgresql"
      return 1
    fi
    apt-get update -qq || { bf_error "apt-get update failed"; return 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null ||
      { bf_error "apt-get install postgresql failed"; return 1; }
    [ -n "$(bf_pg_bin_dir)" ] || { bf_error "postgresql installed, but no /usr/lib/postgresql/*/bin/pg_ctl"; return 1; }
  fi

  if [ ! -x "$BF_AZURITE" ]; then
    command -v npm >/dev/null ||
      { bf_error "npm (Node.js) is needed to install Azurite; install Node.js 20 or newer"; return 1; }
    bf_log "installing Azurite from scripts/package-lock.json"
    npm ci --prefix "$BF_SCRIPTS_DIR" --no-audit --no-fund --loglevel=error >&2 ||
      { bf_error "npm ci in scripts/ failed"; return 1; }
    [ -x "$BF_AZURITE" ] || { bf_error "npm ci ran, but $BF_AZURITE is missing"; return 1; }
  fi

  command -v dotnet >/dev/null ||
    { bf_error "the .NET SDK ('dotnet') is not on PATH; install the .NET 10 SDK"; return 1; }
}

# bf_start_azurite DATA_DIR
bf_start_azurite() {
  local dir=${1:?usage: bf_start_azurite DATA_DIR}
  local blob=${BF_AZURITE_BLOB_PORT:-10000} queue=${BF_AZURITE_QUEUE_PORT:-10001} table=${BF_AZURITE_TABLE_PORT:-10002}
  local port
  for port in "$blob" "$queue" "$table"; do
    # Otherwise the wait below would succeed at once and the tests would talk to somebody else's server.
    if bf_port_open "$port"; then
      bf_error "port $port is already in use; choose free ports with BF_AZURITE_BLOB_PORT/QUEUE_PORT/TABLE_PORT"
      return 1
    fi
  done

  { bf_remove_dir "$dir" && mkdir -p "$dir"; } || return 1
  # --disableTelemetry: Azurite otherwise phones home.
  # --skipApiVersionCheck: the Azure SDKs send a newer x-ms-version than Azurite 3.37.0 knows.
  nohup "$BF_AZURITE" --disableTelemetry --skipApiVersionCheck --silent \
    --blobHost 127.0.0.1 --blobPort "$blob" \
    --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" \
    --location "$dir" >"$dir/azurite.log" 2>&1 </dev/null &
  echo $! >"$dir/azurite.pid"
  # Not a job of this shell: bf_stop_azurite ends it by pid, and bash need not report how it ended.
  disown
  BF_AZURITE_DIR=$dir

  local deadline=$((SECONDS + 30)) pid
  pid=$(cat "$dir/azurite.pid")
  until bf_port_open "$blob" && bf_port_open "$queue" && bf_port_open "$table"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      if kill -0 "$pid" 2>/dev/null; then
        bf_error "Azurite did not answer on its ports within 30 s; last lines of $dir/azurite.log:"
      else
        bf_error "Azurite exited while starting; last lines of $dir/azurite.log:"
      fi
      tail -n 20 "$dir/azurite.log" >&2 || true
      bf_stop_azurite "$dir" || true
      return 1
    fi
    sleep 0.2
  done

  export BF_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=$BF_AZURITE_ACCOUNT;AccountKey=$BF_AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$blob/$BF_AZURITE_ACCOUNT;QueueEndpoint=http://127.0.0.1:$queue/$BF_AZURITE_ACCOUNT;TableEndpoint=http://127.0.0.1:$table/$BF_AZURITE_ACCOUNT;"
  bf_log "Azurite up on 127.0.0.1:$blob/$queue/$table (pid $pid)"
}

# bf_stop_azurite [DATA_DIR]   (default: the folder of the last bf_start_azurite in this shell)
bf_stop_azurite() {
  local dir=${1:-${BF_AZURITE_DIR:-}}
  [ -n "$dir" ] || return 0
  bf_stop_pidfile Azurite "$dir/azurite.pid"
  bf_remove_dir "$dir"
  [ "${BF_AZURITE_DIR:-}" != "$dir" ] || unset BF_AZURITE_DIR
}

# bf_pg_issue_certificates DIR: a throwaway certificate authority (DIR/ca.crt) and a server certificate signed by it
# for 127.0.0.1 and localhost (DIR/server.crt, DIR/server.key), so that the tests connect with TLS verified as in
# production (sslmode verify-full). The CA's key is deleted once the server certificate is signed: nothing else can
# ever be issued under it.
bf_pg_issue_certificates() {
  local tls=$1
  command -v openssl >/dev/null || { bf_error "openssl is needed for the test server's TLS certificate (apt-get install openssl)"; return 1; }
  mkdir -p "$tls" || return 1
  {
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
      -subj "/CN=BackupFunctions throwaway test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$tls/ca.key" -out "$tls/ca.crt" &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" &&
      printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tls/server.ext" &&
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 7 \
        -extfile "$tls/server.ext" -out "$tls/server.crt"
  } >"$tls/openssl.log" 2>&1 || {
    bf_error "openssl could not issue the test server's certificate; last lines of $tls/openssl.log:"
    tail -n 20 "$tls/openssl.log" >&2 || true
    return 1
  }
  rm -f "$tls/ca.key" "$tls/ca.srl" "$tls/server.csr" "$tls/server.ext"
  chmod 0644 "$tls/ca.crt" "$tls/server.crt" && chmod 0600 "$tls/server.key" || return 1
  # The server refuses a key that another user can read, or that it does not own (unless root owns it).
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$tls/server.key" "$tls/server.crt" || return 1
  fi
}

# bf_start_postgres DATA_DIR
bf_start_postgres() {
  local dir=${1:?usage: bf_start_postgres DATA_DIR}
  local port=${BF_PG_PORT:-55432} bin
  bin=$(bf_pg_bin_dir)
  [ -n "$bin" ] || { bf_error "no PostgreSQL server in /usr/lib/postgresql/*/bin (run bf_ensure_prerequisites)"; return 1; }
  if bf_port_open "$port"; then
    bf_error "port $port is already in use; choose a free port with BF_PG_PORT"
    return 1
  fi

  { bf_remove_dir "$dir" && mkdir -p "$dir"; } || return 1
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir" || return 1
    # mktemp -d makes 0700 folders: the postgres user must be able to reach its data folder through them.
    bf_as_postgres test -w "$dir" ||
      { bf_error "user 'postgres' cannot write $dir; make its parent folders searchable (chmod o+x)"; return 1; }
  fi
  BF_PG_DIR=$dir

  bf_as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    bf_error "initdb failed; last lines of $dir/initdb.log:"
    tail -n 20 "$dir/initdb.log" >&2 || true
    return 1
  }
  bf_pg_issue_certificates "$dir/tls" || return 1
  # The role bf_tls_only may log in over TLS only: a test that backs up and restores as it proves that every
  # connection of the service (Npgsql, pg_dump, pg_restore) used TLS, since the server refuses a plain one.
  bf_as_postgres sed -i '1i hostnossl all bf_tls_only all reject' "$dir/data/pg_hba.conf" || return 1
  # Durability settings off: the cluster is thrown away after the run, and fsync makes the tests slow.
  # TLS on (initdb's pg_hba.conf still lets plain connections in too, so that sslMode disable can be tested).
  bf_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
    -o "-p $port -c listen_addresses=127.0.0.1 -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c ssl=on -c ssl_cert_file='$dir/tls/server.crt' -c ssl_key_file='$dir/tls/server.key'" \
    >/dev/null || {
    bf_error "PostgreSQL did not start within 30 s; last lines of $dir/server.log:"
    tail -n 20 "$dir/server.log" >&2 || true
    bf_stop_postgres "$dir" || true
    return 1
  }

  bf_as_postgres "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE bf_tls_only LOGIN SUPERUSER" >/dev/null || {
    bf_error "could not create the role bf_tls_only"
    bf_stop_postgres "$dir" || true
    return 1
  }
  # BF_TEST_PG_ROOT_CERT: the CA the tests (and run.sh's demo) trust for verify-full connections.
  export BF_TEST_PG_HOST=127.0.0.1 BF_TEST_PG_PORT=$port BF_TEST_PG_BIN=$bin BF_TEST_PG_ROOT_CERT=$dir/tls/ca.crt
  bf_log "PostgreSQL $(basename "$(dirname "$bin")") up on 127.0.0.1:$port (TLS, test CA $dir/tls/ca.crt)"
}

# bf_stop_postgres [DATA_DIR]   (default: the folder of the last bf_start_postgres in this shell)
bf_stop_postgres() {
  local dir=${1:-${BF_PG_DIR:-}}
  [ -n "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    local bin
    bin=$(bf_pg_bin_dir)
    bf_as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      bf_as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
      bf_error "PostgreSQL in $dir did not stop"
  fi
  bf_remove_dir "$dir"
  [ "${BF_PG_DIR:-}" != "$dir" ] || unset BF_PG_DIR
}

# The servers of the storage destinations (vsftpd, sshd, Ceph RGW) and the SMTP sink of the notification tests
# (smtp-sink.sh): one file each, same conventions.
for bf_server_script in "$BF_SCRIPTS_DIR"/servers/*.sh; do
  # shellcheck source=/dev/null
  [ -e "$bf_server_script" ] && source "$bf_server_script"
done
unset bf_server_script
