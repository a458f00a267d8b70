#!/usr/bin/env bash
# Runs BackupFunctions locally: Azurite + PostgreSQL on 127.0.0.1, a demo CMS (database + site folder), the Functions
# app on the local host at http://127.0.0.1:7071/api/, and a demo backup config. Ctrl+C stops everything and removes
# the throwaway data folder.
#   ./run.sh           serve until Ctrl+C
#   ./run.sh --smoke   start, run one backup of the demo config to completion, print it, stop (exit 0 on success)
#   DEMO_SITE_MB=2048 ./run.sh --smoke   the same with a larger site (half random, half text) — the benchmark that
#                                         shows time, throughput and the local host's peak memory
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-serve}
case "$mode" in serve|--smoke) ;; *) echo "usage: ./run.sh [--smoke]" >&2; exit 2 ;; esac

source scripts/services.sh
bf_ensure_prerequisites

mkdir -p .data
data=$(mktemp -d "$PWD/.data/run-XXXXXX")
# mktemp makes the folder 0700; the postgres user must be able to reach its cluster inside it.
chmod 0755 "$data"
host_pid=""
cleanup() {
  local rc=$?
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  bf_stop_postgres || true
  bf_stop_azurite || true
  rm -rf "$data"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bf_start_azurite "$data/azurite"
bf_start_postgres "$data/postgres"

echo "Creating the demo CMS (database 'democms' and site folder $data/site)..."
# psql, like the service, verifies the server's certificate (issued by the throwaway CA of bf_start_postgres).
PGSSLMODE=verify-full PGSSLROOTCERT="$BF_TEST_PG_ROOT_CERT" "$BF_TEST_PG_BIN/psql" -q -h 127.0.0.1 -p "$BF_TEST_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE democms" >/dev/null
PGSSLMODE=verify-full PGSSLROOTCERT="$BF_TEST_PG_ROOT_CERT" "$BF_TEST_PG_BIN/psql" -q -h 127.0.0.1 -p "$BF_TEST_PG_PORT" -U postgres -d democms -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE posts (id bigserial PRIMARY KEY, author_id int REFERENCES authors(id), title text, body text, published_at timestamptz);
CREATE VIEW published_posts AS SELECT id, title FROM posts WHERE published_at IS NOT NULL;
INSERT INTO authors (name) SELECT 'Autorin ' || i FROM generate_series(1, 50) i;
INSERT INTO posts (author_id, title, body, published_at)
  SELECT 1 + i % 50, 'Beitrag ' || i, repeat('Grüße aus dem Demo-CMS. ', 40), now() - i * interval '1 hour' FROM generate_series(1, 20000) i;
SQL
mkdir -p "$data/site/uploads/2026/11" "$data/site/themes/demo" "$data/site/plugins/seo" "$data/site/config"
head -c 8388608 /dev/urandom > "$data/site/uploads/2026/11/header.jpg"
printf 'body { font-family: sans-serif; }\n' > "$data/site/themes/demo/style.css"
printf '<?php /* Plugin Name: SEO */\n' > "$data/site/plugins/seo/seo.php"
printf '<?php define("DB_NAME", "democms");\n' > "$data/site/config/settings.php"
if [ "${DEMO_SITE_MB:-0}" -gt 0 ]; then
  half=$(( DEMO_SITE_MB * 1048576 / 2 ))
  head -c "$half" /dev/urandom > "$data/site/uploads/2026/11/large-random.bin"
  yes 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.' \
    | head -c "$half" > "$data/site/uploads/2026/11/large-text.log" || true
fi

mkdir -p "$data/stores"
# The key-encryption key of this demo: 32 random bytes, base64, readable by the owner only.
(umask 077 && head -c 32 /dev/urandom | base64 > "$data/backup.key")
# The transit key: the data key travels sealed with it between the backup's steps (see docs/configuration.md, Keys__TransitKey).
Keys__TransitKey=$(head -c 32 /dev/urandom | base64)
export Keys__TransitKey
# Seals the secrets of storage locations posted to /api/backup-storage (see docs/configuration.md, Secrets__SealingKey).
Secrets__SealingKey=$(head -c 32 /dev/urandom | base64)
export Secrets__SealingKey

# The local host reads the same settings as the Functions app (local.settings.sample.json lists them all).
export Catalog__ConnectionString="$BF_TEST_AZURITE"
export Storage__BlobConnection="$BF_TEST_AZURITE"
export Storage__LocalRoot="$data/stores"
export Keys__LocalKeyFile="$data/backup.key"
export Postgres__BinDirectory="$BF_TEST_PG_BIN"
# The demo's database has a certificate from a throwaway CA: trust it (the default is the system's CA bundle).
export Postgres__SslRootCertFile="$BF_TEST_PG_ROOT_CERT"
# The demo's database listens on loopback, which configs may name only when it is allowed (docs/configuration.md, Network__AllowedRanges).
export Network__AllowedRanges="127.0.0.0/8"
# Configs may back up site files only inside these folders (docs/configuration.md, Files__AllowedRoots): here the demo site alone.
export Files__AllowedRoots="$data/site"
# Secrets that configs and storage locations refer to live under BackupSecrets__ (docs/api.md, Secret references). The demo
# cluster trusts loopback, so this password is not checked; the demo config shows how a config names it.
export BackupSecrets__DEMO_DB_PASSWORD="demo-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

echo "Building the local host..."
dotnet build src/BackupFunctions.LocalHost -c Release -v quiet -nologo > "$data/build.log" 2>&1 || { tail -n 40 "$data/build.log"; exit 1; }
dotnet src/BackupFunctions.LocalHost/bin/Release/net10.0/BackupFunctions.LocalHost.dll --url http://127.0.0.1:7071 > "$data/host.log" 2>&1 &
host_pid=$!
api=http://127.0.0.1:7071/api
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$api/backup-configs" && break
  kill -0 "$host_pid" 2>/dev/null || { echo "The local host stopped:"; tail -n 30 "$data/host.log"; exit 1; }
  sleep 0.2
done
curl -fs -o /dev/null "$api/backup-configs" || { echo "The local host did not answer on $api"; tail -n 30 "$data/host.log"; exit 1; }

config=$(curl -fsS -X POST "$api/backup-configs" -H 'Content-Type: application/json' -d @- <<JSON
{
  "name": "Demo CMS",
  "database": { "host": "127.0.0.1", "port": $BF_TEST_PG_PORT, "database": "democms", "username": "postgres", "passwordSetting": "BackupSecrets__DEMO_DB_PASSWORD", "sslMode": "verify-full" },
  "files": { "root": "$data/site" },
  "schedule": { "frequency": "daily", "time": "02:30", "timeZone": "Europe/Berlin" },
  "storage": { "type": "azureBlob", "container": "backups", "prefix": "demo" },
  "compression": { "algorithm": "zstd", "level": 3 },
  "retention": { "keepDaily": 7, "keepWeekly": 4, "keepMonthly": 12, "keepYearly": 5, "keepWithin": "2d", "autoCleanup": true }
}
JSON
)
config_id=$(printf '%s' "$config" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')

if [ "$mode" = "--smoke" ]; then
  started=$(date +%s.%N)
  job_id=$(curl -fsS -X POST "$api/backups" -H 'Content-Type: application/json' -d "{\"configId\":\"$config_id\"}" | sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p')
  status=""
  for _ in $(seq 1 600); do
    job=$(curl -fsS "$api/backup-jobs/$job_id")
    status=$(printf '%s' "$job" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')
    [ "$status" = completed ] || [ "$status" = failed ] && break
    sleep 0.2
  done
  elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  peak=$(grep VmHWM "/proc/$host_pid/status" | awk '{print $2/1024 " MiB"}')
  echo "job:    $job"
  [ "$status" = completed ] || { echo "The demo backup did not complete."; tail -n 30 "$data/host.log"; exit 1; }
  echo "backup: $(curl -fsS "$api/backups/$job_id")"
  site_mb=$(du -sm "$data/site" | cut -f1)
  echo "Demo backup of a ${site_mb} MiB site + database completed in ${elapsed}s (POST to completed, polled every 0.2 s);" \
       "$(awk -v m="$site_mb" -v s="$elapsed" 'BEGIN { printf "%.0f", m / s }') MiB/s of site files; local host peak RSS ${peak}."
  exit 0
fi

cat <<INFO

BackupFunctions is running locally.
  Dashboard:    $api/ui/?config=$config_id   (no function key needed locally: leave it empty)
  API:          $api/   (Azurite blob/table on 127.0.0.1:${BF_AZURITE_BLOB_PORT:-10000}/${BF_AZURITE_TABLE_PORT:-10002}, PostgreSQL on 127.0.0.1:$BF_TEST_PG_PORT)
  Demo config:  $config_id  (database 'democms' + site folder $data/site)
  Logs:         $data/host.log

Start a backup now:
  curl -s -X POST $api/backups -H 'Content-Type: application/json' -d '{"configId":"$config_id"}'
Then follow it (use the jobId from the answer):
  curl -s $api/backup-jobs/<jobId>
  curl -s $api/backups

Ctrl+C stops the host, Azurite and PostgreSQL and removes $data.
INFO
wait "$host_pid"
