# shellcheck shell=bash
# A throwaway OpenSSH sshd (SFTP only) for the SFTP destination tests.
#
#   source scripts/services.sh      # loads this file (it uses services.sh's helpers)
#   bf_install_sshd                 # apt-get install openssh-server when /usr/sbin/sshd is missing
#   bf_start_sshd /tmp/run/sshd     # exports BF_TEST_SFTP_HOST/_PORT/_USER/_PASSWORD/_KEY_FILE/_HOST_KEY
#   ...
#   bf_stop_sshd
#
# The server listens on 127.0.0.1:${BF_SSHD_PORT:-2222} with its own config and host key in DATA_DIR, and lets in one
# user only, ${BF_SSHD_USER:-bfsftp}, by password (${BF_SSHD_PASSWORD:-S3cret-pass}) or by an ed25519 key made here.
# That user is a system account with no shell; the server offers it nothing but SFTP (ForceCommand internal-sftp),
# starting in DATA_DIR/home, which it owns. It is not chrooted: absolute paths reach the whole file system as far as
# the account's rights go, so the tests use paths relative to the login folder.
#
# It must run as root: password login goes through PAM, which needs it, and so does creating the account.
# The account (and its password) stay on the machine after bf_stop_sshd: other servers started by this script may
# still use it, and sshd only lets it in on the ports this script starts.
#
# Sourced like scripts/services.sh: no shell options of its own, non-zero with a message on stderr on failure.

bf_sshd_log() { echo "[sshd] $*" >&2; }

bf_sshd_error() { echo "[sshd] ERROR: $*" >&2; }

bf_install_sshd() {
  [ -x /usr/sbin/sshd ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    bf_sshd_error "installing OpenSSH server needs root; run: apt-get install openssh-server"
    return 1
  fi
  bf_sshd_log "OpenSSH server not found: installing the Debian package 'openssh-server'"
  # Lock timeout: another installer (a second test run, unattended upgrades) may hold the dpkg lock for a while.
  apt-get -o DPkg::Lock::Timeout=300 update -qq || { bf_sshd_error "apt-get update failed"; return 1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    openssh-server >/dev/null || { bf_sshd_error "apt-get install openssh-server failed"; return 1; }
  [ -x /usr/sbin/sshd ] || { bf_sshd_error "openssh-server installed, but /usr/sbin/sshd is missing"; return 1; }
}

# bf_start_sshd DATA_DIR
bf_start_sshd() {
  local dir=${1:?usage: bf_start_sshd DATA_DIR}
  local port=${BF_SSHD_PORT:-2222} user=${BF_SSHD_USER:-bfsftp} password=${BF_SSHD_PASSWORD:-S3cret-pass}
  [ -x /usr/sbin/sshd ] || { bf_sshd_error "no /usr/sbin/sshd (run bf_install_sshd)"; return 1; }
  if [ "$(id -u)" -ne 0 ]; then
    bf_sshd_error "sshd must be started as root (password login goes through PAM)"
    return 1
  fi
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    bf_sshd_error "port $port is already in use; choose a free port with BF_SSHD_PORT"
    return 1
  fi
  case "$dir" in
    "" | "/" | "$HOME" | /usr | /usr/* | /etc | /etc/*) bf_sshd_error "refusing to use '$dir' as the data folder"; return 1 ;;
  esac

  rm -rf -- "$dir" && mkdir -p "$dir/home" || return 1
  # sshd's StrictModes and the unprivileged session need every folder on the way to be searchable and not writable
  # by others: a 0700 folder (mktemp -d) breaks the login, a world-writable one the key check.
  chmod 755 "$dir" || return 1
  local parent
  parent=$(dirname "$(realpath "$dir")")
  while [ "$parent" != "/" ]; do
    if (( (8#$(stat -c '%a' "$parent") & 1) == 0 )); then
      bf_sshd_error "$parent is not searchable by other users; the SFTP user cannot reach $dir (chmod o+x)"
      return 1
    fi
    parent=$(dirname "$parent")
  done

  if ! id "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
      { bf_sshd_error "useradd $user failed"; return 1; }
  fi
  echo "$user:$password" | chpasswd || { bf_sshd_error "chpasswd for $user failed"; return 1; }
  chown "$user:" "$dir/home" && chmod 755 "$dir/home" || return 1

  ssh-keygen -q -t ed25519 -N '' -C bf-test-host -f "$dir/ssh_host_ed25519_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -C bf-test-client -f "$dir/client_ed25519" || return 1
  # Root-owned and outside the user's folder, so the user cannot swap the key. StrictModes is off in the config
  # because it also refuses a key file anywhere below /tmp (1777), where throwaway folders live.
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys" && chmod 644 "$dir/authorized_keys" || return 1

  cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UsePAM yes
AllowUsers $user
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d $dir/home
CONF
  # sshd's privilege separation folder; /run is empty after a reboot.
  mkdir -p /run/sshd || return 1
  /usr/sbin/sshd -t -f "$dir/sshd_config" 2>"$dir/sshd.log" || {
    bf_sshd_error "sshd refused its config:"
    cat "$dir/sshd.log" >&2
    return 1
  }
  # Daemonizes; the pid lands in $dir/sshd.pid.
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || { bf_sshd_error "sshd did not start"; return 1; }
  BF_SSHD_DIR=$dir

  local deadline=$((SECONDS + 20))
  until [ -s "$dir/sshd.pid" ] && bf_port_open "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      bf_sshd_error "sshd did not answer on 127.0.0.1:$port within 20 s; last lines of $dir/sshd.log:"
      tail -n 20 "$dir/sshd.log" >&2 || true
      bf_stop_sshd "$dir" || true
      return 1
    fi
    sleep 0.2
  done

  local fingerprint
  fingerprint=$(ssh-keygen -l -E sha256 -f "$dir/ssh_host_ed25519_key.pub" | awk '{print $2}')
  export BF_TEST_SFTP_HOST=127.0.0.1 BF_TEST_SFTP_PORT=$port BF_TEST_SFTP_USER=$user BF_TEST_SFTP_PASSWORD=$password
  export BF_TEST_SFTP_KEY_FILE=$dir/client_ed25519 BF_TEST_SFTP_HOST_KEY=$fingerprint
  bf_sshd_log "sshd up on 127.0.0.1:$port (pid $(cat "$dir/sshd.pid")), user $user, host key $fingerprint"
}

# bf_stop_sshd [DATA_DIR]   (default: the folder of the last bf_start_sshd in this shell)
bf_stop_sshd() {
  local dir=${1:-${BF_SSHD_DIR:-}}
  [ -n "$dir" ] || return 0
  # The listener only: sessions still open end when their client goes.
  bf_stop_pidfile sshd "$dir/sshd.pid"
  case "$dir" in
    "" | "/" | "$HOME" | /usr | /usr/* | /etc | /etc/*) bf_sshd_error "refusing to remove '$dir'"; return 1 ;;
  esac
  rm -rf -- "$dir"
  [ "${BF_SSHD_DIR:-}" != "$dir" ] || unset BF_SSHD_DIR
}
