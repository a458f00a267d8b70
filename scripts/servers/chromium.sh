# shellcheck shell=bash
# Not a server: Debian's Chromium, the browser that the dashboard's browser tests (tests/BackupFunctions.Tests/Ui,
# Microsoft.Playwright) drive headless. Playwright never downloads a browser of its own here; it starts
# /usr/bin/chromium (or BF_TEST_CHROMIUM).
#
#   source scripts/services.sh            # loads this file
#   bf_install_chromium                   # apt-get install chromium when missing
#
# Sourced like scripts/services.sh: no shell options of its own; functions return non-zero with a message.

bf_chromium_log() { echo "[chromium] $*" >&2; }

bf_chromium_error() { echo "[chromium] ERROR: $*" >&2; }

bf_install_chromium() {
  [ -x "${BF_TEST_CHROMIUM:-/usr/bin/chromium}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    bf_chromium_error "installing Chromium needs root; run: apt-get install chromium"
    return 1
  fi
  bf_chromium_log "installing the Debian package 'chromium'"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null || {
    apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null
  } || { bf_chromium_error "apt-get install chromium failed"; return 1; }
  [ -x /usr/bin/chromium ] || { bf_chromium_error "chromium installed, but /usr/bin/chromium is missing"; return 1; }
}
