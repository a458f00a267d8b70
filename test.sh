#!/usr/bin/env bash
# The whole test run, the same for a developer and for CI: starts throwaway Azurite, PostgreSQL, vsftpd, sshd,
# Ceph RGW (S3) and SMTP sink (notifications) servers,
# runs every test project against them, and stops and removes them whatever happens.
# Exit code: dotnet test's (non-zero on any failed test); non-zero with a message when a step before it fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# shellcheck source=scripts/services.sh
source scripts/services.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$SECONDS
work=""

# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
  local status=$?
  bf_stop_smtp_sink || true
  bf_stop_ceph_rgw || true
  bf_stop_sshd || true
  bf_stop_vsftpd || true
  bf_stop_postgres || true
  bf_stop_azurite || true
  [ -z "$work" ] || rm -rf -- "$work"
  [ "$status" -eq 0 ] || echo "test.sh: FAILED with exit code $status" >&2
  echo "test.sh: wall time $((SECONDS - started)) s"
}
trap finish EXIT
# Ctrl-C or a CI stop: leave through the EXIT trap, so the servers are stopped and their folders removed.
trap 'exit 130' INT
trap 'exit 143' TERM

bf_ensure_prerequisites
bf_install_vsftpd
bf_install_sshd
bf_install_ceph_rgw
bf_install_smtp_sink
bf_install_chromium

work=$(mktemp -d "${TMPDIR:-/tmp}/bf-test.XXXXXX")
# mktemp makes the folder 0700; the postgres user must be able to reach its cluster inside it.
chmod 0755 "$work"
bf_start_azurite "$work/azurite"
bf_start_postgres "$work/postgres"
bf_start_vsftpd "$work/vsftpd"
bf_start_sshd "$work/sshd"
bf_start_ceph_rgw "$work/ceph-rgw"
bf_start_smtp_sink "$work/smtp-sink"

# The Bicep templates are checked when their build script exists (it compiles them; no Azure access).
if [ -x infra/bicep/build.sh ]; then
  echo "test.sh: building the Bicep templates"
  infra/bicep/build.sh
fi

status=0
# A hung test would otherwise use up CI's time limit without saying which test it was.
dotnet test BackupFunctions.sln -c Release --blame-hang-timeout 15m --blame-hang-dump-type none || status=$?
exit "$status"
