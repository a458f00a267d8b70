# shellcheck shell=bash
# A throwaway vsftpd for the FTP/FTPS store tests: one instance on 127.0.0.1 that speaks plain FTP and explicit
# FTPS (AUTH TLS) on the same control port, with a self-signed certificate made here.
#
#   source scripts/services.sh      # loads this file (it uses services.sh's helpers)
#   bf_install_vsftpd
#   bf_start_vsftpd /tmp/run/vsftpd   # exports BF_TEST_FTP_HOST/PORT/USER/PASSWORD/BASE/CERT_SHA256/CERT_FILE
#   ...
#   bf_stop_vsftpd
#
# Ports: control BF_VSFTPD_PORT (2121), passive data BF_VSFTPD_PASV_MIN..BF_VSFTPD_PASV_MAX (30000-30019).
# The local user BF_VSFTPD_USER (ftptest, password BF_VSFTPD_PASSWORD or Ftp-pass1) is chrooted to DATA_DIR/home.
# Without the BF_TEST_FTP_* variables the tests read the certificate from /tmp/bfdev/vsftpd/server.crt (the dev server).
# Layout of its home: backups/ (writable; the tests make one folder per test class in it) and readonly/ (owned by
# root, holding the unreadable file 'secret'), so the permission-denied tests have something to be refused.
#
# One instance serves both protocols (ssl_enable=YES with force_local_logins_ssl=NO and force_local_data_ssl=NO):
# a client that sends AUTH TLS gets TLS on the control and (after PROT P) the data connections, one that does not
# gets plain FTP. require_ssl_reuse stays at its default (YES): a client must resume the control connection's TLS
# session on each data connection, as real FTPS servers demand.
#
# Sourced like scripts/services.sh: no shell options of its own; functions return non-zero with a message.

bf_vsftpd_log() { echo "[vsftpd] $*" >&2; }

bf_vsftpd_error() { echo "[vsftpd] ERROR: $*" >&2; }

bf_install_vsftpd() {
  [ -x /usr/sbin/vsftpd ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    bf_vsftpd_error "installing vsftpd needs root; run: apt-get install vsftpd"
    return 1
  fi
  bf_vsftpd_log "installing the Debian package 'vsftpd'"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends vsftpd openssl >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends vsftpd openssl >/dev/null
  } || { bf_vsftpd_error "apt-get install vsftpd failed"; return 1; }
  [ -x /usr/sbin/vsftpd ] || { bf_vsftpd_error "vsftpd installed, but /usr/sbin/vsftpd is missing"; return 1; }
  # The package may start (and enable) a system-wide instance on port 21; the tests do not want it.
  if command -v systemctl >/dev/null && systemctl is-active --quiet vsftpd 2>/dev/null; then
    systemctl stop vsftpd >/dev/null 2>&1 || true
  fi
}

# bf_start_vsftpd DATA_DIR
bf_start_vsftpd() {
  local dir=${1:?usage: bf_start_vsftpd DATA_DIR}
  local port=${BF_VSFTPD_PORT:-2121} pasv_min=${BF_VSFTPD_PASV_MIN:-30000} pasv_max=${BF_VSFTPD_PASV_MAX:-30019}
  local user=${BF_VSFTPD_USER:-ftptest}
  local password
  [ "$(id -u)" -eq 0 ] || { bf_vsftpd_error "vsftpd needs root (it logs local users in and chroots them)"; return 1; }
  [ -x /usr/sbin/vsftpd ] || { bf_vsftpd_error "vsftpd is not installed (run bf_install_vsftpd)"; return 1; }
  if bf_port_open "$port"; then
    bf_vsftpd_error "port $port is already in use; choose a free port with BF_VSFTPD_PORT"
    return 1
  fi
  case "$dir" in
    "" | "/" | "$HOME" | /usr | /usr/* | /etc | /etc/*) bf_vsftpd_error "refusing data folder '$dir'"; return 1 ;;
  esac

  rm -rf -- "$dir" && mkdir -p "$dir/empty" "$dir/home/backups" "$dir/home/readonly" || return 1
  # vsftpd reaches the chroot through these folders as the logged-in user.
  chmod 755 "$dir" "$dir/home" || return 1
  local parent
  parent=$(dirname "$dir")
  chmod o+x "$parent" 2>/dev/null || true

  # The account is shared by every instance on the machine (a second checkout's test run may start one beside this),
  # so its home is '/', which always exists (vsftpd enters the home first), and each instance's folder is its
  # local_root below: a later start or a removed folder of another instance cannot move this one's files.
  if ! id "$user" >/dev/null 2>&1; then
    useradd --no-create-home --home-dir / --shell /usr/sbin/nologin "$user" ||
      { bf_vsftpd_error "useradd $user failed"; return 1; }
  else
    usermod --home / "$user" >/dev/null 2>&1 || true
  fi
  # The account has no shell (nologin) and vsftpd listens on loopback only; set BF_VSFTPD_PASSWORD on shared machines.
  password=${BF_VSFTPD_PASSWORD:-Ftp-pass1}
  echo "$user:$password" | chpasswd || { bf_vsftpd_error "chpasswd failed"; return 1; }
  chown -R "$user:$user" "$dir/home/backups" || return 1
  chown "$user:$user" "$dir/home" || return 1
  echo "only root may read this" >"$dir/home/readonly/secret"
  chmod 600 "$dir/home/readonly/secret" && chmod 755 "$dir/home/readonly" || return 1
  echo "$user" >"$dir/user_list"

  # pam_shells refuses users whose shell is not in /etc/shells; nologin is not.
  local pam=bf-vsftpd
  if [ ! -f "/etc/pam.d/$pam" ]; then
    printf 'auth required pam_unix.so\naccount required pam_unix.so\n' >"/etc/pam.d/$pam" ||
      { bf_vsftpd_error "cannot write /etc/pam.d/$pam"; return 1; }
  fi

  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >"$dir/openssl.log" 2>&1 ||
    { bf_vsftpd_error "openssl could not make the certificate; see $dir/openssl.log"; return 1; }
  chmod 600 "$dir/server.key"

  cat >"$dir/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=077
chroot_local_user=YES
allow_writeable_chroot=YES
# The chroot: this instance's folder (see the account above).
local_root=$dir/home
secure_chroot_dir=$dir/empty
pam_service_name=$pam
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$pasv_min
pasv_max_port=$pasv_max
port_enable=NO
connect_from_port_20=NO
seccomp_sandbox=NO
userlist_enable=YES
userlist_deny=NO
userlist_file=$dir/user_list
xferlog_enable=YES
vsftpd_log_file=$dir/vsftpd.log
utf8_filesystem=YES
max_per_ip=50
max_clients=100
idle_session_timeout=300
data_connection_timeout=120
ssl_enable=YES
rsa_cert_file=$dir/server.crt
rsa_private_key_file=$dir/server.key
force_local_logins_ssl=NO
force_local_data_ssl=NO
ssl_ciphers=HIGH
CONF

  nohup /usr/sbin/vsftpd "$dir/vsftpd.conf" >"$dir/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/vsftpd.pid"
  disown
  BF_VSFTPD_DIR=$dir

  bf_await_port vsftpd "$port" "$dir/vsftpd.pid" 15 "$dir/stdout.log" "$dir/vsftpd.log" ||
    { bf_stop_vsftpd "$dir" || true; return 1; }

  local fingerprint
  fingerprint=$(openssl x509 -in "$dir/server.crt" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g')
  export BF_TEST_FTP_HOST=127.0.0.1 BF_TEST_FTP_PORT=$port BF_TEST_FTP_USER=$user BF_TEST_FTP_PASSWORD=$password
  export BF_TEST_FTP_BASE=/backups BF_TEST_FTP_CERT_SHA256=$fingerprint BF_TEST_FTP_CERT_FILE=$dir/server.crt
  bf_vsftpd_log "vsftpd up on 127.0.0.1:$port (FTP + explicit FTPS, passive $pasv_min-$pasv_max, pid $(cat "$dir/vsftpd.pid"))"
}

# bf_stop_vsftpd [DATA_DIR]   (default: the folder of the last bf_start_vsftpd in this shell)
bf_stop_vsftpd() {
  local dir=${1:-${BF_VSFTPD_DIR:-}}
  [ -n "$dir" ] || return 0
  bf_stop_pidfile vsftpd "$dir/vsftpd.pid" 50
  case "$dir" in
    "" | "/" | "$HOME" | /usr | /usr/* | /etc | /etc/*) bf_vsftpd_error "refusing to remove '$dir'"; return 1 ;;
  esac
  rm -rf -- "$dir"
  [ "${BF_VSFTPD_DIR:-}" != "$dir" ] || unset BF_VSFTPD_DIR
}
