#!/usr/bin/env bash
# Storage benchmark: upload and download MB/s of one object through each destination type, against throwaway
# servers on 127.0.0.1 (Azurite, vsftpd, OpenSSH sshd, Ceph RGW), with `backupctl storage test --size-mb N`.
# Not part of the test suite. See README.md, "Benchmark".
#
#   scripts/benchmark/storage.sh [--size-mb 256] [--types file,azblob,ftp,ftps,sftp,s3,gs] [--scratch DIR]
#
# Each type runs the connection test first (write, read back, list, delete), then puts an object of random bytes
# (made and hashed as it streams) and reads it back, checking its SHA-256. The servers use ports of their own
# (Azurite 10100-10102, vsftpd 2131, sshd 2232, RGW 7490), so they run beside a developer's servers.
# Prints a table and writes it to <scratch>/storage-results.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
size_mb=256
types=file,azblob,ftp,ftps,sftp,s3,gs
scratch=${TMPDIR:-/tmp}/backupctl-storage-bench

while (($#)); do
  case $1 in
    --size-mb) size_mb=${2:?}; shift 2 ;;
    --types) types=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    *) sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; echo "storage.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=../services.sh
source "$repo/scripts/services.sh"
export BF_AZURITE_BLOB_PORT=10100 BF_AZURITE_QUEUE_PORT=10101 BF_AZURITE_TABLE_PORT=10102
export BF_VSFTPD_PORT=2131 BF_VSFTPD_PASV_MIN=30040 BF_VSFTPD_PASV_MAX=30059 BF_SSHD_PORT=2232 BF_CEPH_RGW_PORT=7490 BF_CEPH_MON_PORT=40799

rm -rf -- "$scratch"
mkdir -p "$scratch"
chmod 0755 "$scratch"
stop_all() {
  for stop in bf_stop_ceph_rgw bf_stop_sshd bf_stop_vsftpd bf_stop_azurite; do
    declare -F "$stop" >/dev/null && { "$stop" || true; }
  done
}
trap stop_all EXIT

wants() { [[ ",$types," == *",$1,"* ]]; }

bf_ensure_prerequisites
echo "storage.sh: building backupctl (Release)" >&2
dotnet publish "$repo/src/BackupCli" -c Release -o "$scratch/backupctl" --nologo -v quiet >&2
backupctl="$scratch/backupctl/backupctl"

wants azblob && bf_start_azurite "$scratch/azurite"
if wants ftp || wants ftps; then bf_install_vsftpd; bf_start_vsftpd "$scratch/vsftpd"; fi
if wants sftp; then bf_install_sshd; bf_start_sshd "$scratch/sshd"; fi
if wants s3 || wants gs; then
  declare -F bf_start_ceph_rgw >/dev/null || { echo "storage.sh: no Ceph RGW script (scripts/servers/ceph-rgw.sh)" >&2; exit 1; }
  bf_install_ceph_rgw
  bf_start_ceph_rgw "$scratch/rgw"
  # The stores never create buckets (see README): make the benchmark's with a signed PUT.
  curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$BF_TEST_S3_ACCESS_KEY:$BF_TEST_S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT "$BF_TEST_S3_ENDPOINT/bench" >/dev/null ||
    { echo "storage.sh: could not create the bucket 'bench'" >&2; exit 1; }
fi

results="$scratch/storage-results.md"
{
  echo "| destination | upload MB/s | download MB/s |"
  echo "| --- | ---: | ---: |"
} >"$results"

run() {
  local label=$1 uri=$2
  local out
  if ! out=$("$backupctl" storage test --to "$uri" --size-mb "$size_mb" --json); then
    echo "storage.sh: $label failed:" >&2
    echo "$out" >&2
    echo "| $label | failed | failed |" >>"$results"
    return 0
  fi
  python3 - "$label" "$out" >>"$results" <<'PY'
import json, sys
label, data = sys.argv[1], json.loads(sys.argv[2])
t = data["throughput"]
print(f"| {label} | {t['uploadMBps']:.1f} | {t['downloadMBps']:.1f} |")
PY
}

if wants file; then mkdir -p "$scratch/local"; run "local folder" "file://$scratch/local"; fi
if wants azblob; then
  AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$BF_AZURITE_ACCOUNT;AccountKey=$BF_AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$BF_AZURITE_BLOB_PORT/$BF_AZURITE_ACCOUNT;" \
    run "Azure Blob (Azurite)" "azblob://bench"
fi
if wants ftp; then BACKUPCTL_FTP_PASSWORD=$BF_TEST_FTP_PASSWORD run "FTP (vsftpd)" "ftp://$BF_TEST_FTP_USER@127.0.0.1:$BF_TEST_FTP_PORT$BF_TEST_FTP_BASE"; fi
if wants ftps; then
  BACKUPCTL_FTP_PASSWORD=$BF_TEST_FTP_PASSWORD run "FTPS (vsftpd)" "ftps://$BF_TEST_FTP_USER@127.0.0.1:$BF_TEST_FTP_PORT$BF_TEST_FTP_BASE?certSha256=$BF_TEST_FTP_CERT_SHA256"
fi
if wants sftp; then
  BACKUPCTL_SFTP_PASSWORD=$BF_TEST_SFTP_PASSWORD run "SFTP (OpenSSH)" "sftp://$BF_TEST_SFTP_USER@127.0.0.1:$BF_TEST_SFTP_PORT/bench?hostKey=$BF_TEST_SFTP_HOST_KEY"
fi
if wants s3; then
  BACKUPCTL_S3_ACCESS_KEY_ID=$BF_TEST_S3_ACCESS_KEY BACKUPCTL_S3_SECRET_ACCESS_KEY=$BF_TEST_S3_SECRET_KEY \
    run "S3 (Ceph RGW)" "s3://bench/s3?endpoint=$BF_TEST_S3_ENDPOINT&region=us-east-1&pathStyle=true"
fi
if wants gs; then
  BACKUPCTL_GCS_HMAC_ACCESS_ID=$BF_TEST_S3_ACCESS_KEY BACKUPCTL_GCS_HMAC_SECRET=$BF_TEST_S3_SECRET_KEY \
    run "GCS profile (Ceph RGW)" "gs://bench/gcs?endpoint=$BF_TEST_S3_ENDPOINT"
fi

echo
echo "Object of $size_mb MiB, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ):"
cat "$results"
