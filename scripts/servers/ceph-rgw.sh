# shellcheck shell=bash
# A throwaway single-node Ceph (one mon, one memstore OSD) with a RADOS Gateway: the S3 server of the tests.
#
#   source scripts/services.sh      # loads this file (it uses services.sh's helpers)
#   bf_install_ceph_rgw                  # apt packages radosgw ceph-mon ceph-osd (only when missing)
#   bf_start_ceph_rgw /tmp/run/ceph      # exports BF_TEST_S3_ENDPOINT, BF_TEST_S3_ACCESS_KEY, BF_TEST_S3_SECRET_KEY
#   ...
#   bf_stop_ceph_rgw [/tmp/run/ceph]
#
# Ports: BF_CEPH_RGW_PORT (S3, default 7480) and BF_CEPH_MON_PORT (monitor, default 40789); 127.0.0.1 only.
# The OSD keeps its objects in RAM (memstore), capped by BF_CEPH_MEMSTORE_MIB (default 1024), so a test run cannot
# eat the machine's memory; the whole cluster needs about 600 MB RSS besides. The data folder is created empty on
# start and removed on stop.
# Ceph Pacific's gateway refuses the SDK's default trailer checksums (aws-chunked with x-amz-checksum-crc32): the
# client must set RequestChecksumCalculation = WHEN_REQUIRED (the S3 store does).
#
# Sourced: sets no shell options; functions return non-zero with a message on stderr.

# The test user's keys (local throwaway cluster; not secrets).
BF_CEPH_RGW_ACCESS_KEY=BFTESTKEY
BF_CEPH_RGW_SECRET_KEY=BFTESTSECRET

bf_ceph_log() { echo "[ceph-rgw] $*" >&2; }

bf_ceph_error() { echo "[ceph-rgw] ERROR: $*" >&2; }

bf_install_ceph_rgw() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    bf_ceph_error "installing Ceph needs root; run: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd"
    return 1
  fi
  bf_ceph_log "installing the Debian packages radosgw ceph-mon ceph-osd"
  apt-get update -qq || { bf_ceph_error "apt-get update failed"; return 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null ||
    { bf_ceph_error "apt-get install radosgw ceph-mon ceph-osd failed"; return 1; }
  command -v radosgw >/dev/null || { bf_ceph_error "radosgw installed, but not on PATH"; return 1; }
}

# bf_start_ceph_rgw DATA_DIR
bf_start_ceph_rgw() {
  local dir=${1:?usage: bf_start_ceph_rgw DATA_DIR}
  local port=${BF_CEPH_RGW_PORT:-7480} mon_port=${BF_CEPH_MON_PORT:-40789} mib=${BF_CEPH_MEMSTORE_MIB:-1024}
  local p
  for p in "$port" "$mon_port"; do
    # Otherwise the wait below would succeed at once and the tests would talk to somebody else's server.
    if bf_port_open "$p"; then
      bf_ceph_error "port $p is already in use; choose free ports with BF_CEPH_RGW_PORT/BF_CEPH_MON_PORT"
      return 1
    fi
  done
  command -v radosgw >/dev/null || { bf_ceph_error "radosgw is not installed (run bf_install_ceph_rgw)"; return 1; }

  { bf_remove_dir "$dir" && mkdir -p "$dir"/{mon/a,osd/0,run,log,rgw}; } || return 1
  dir=$(cd "$dir" && pwd)
  BF_CEPH_RGW_DIR=$dir

  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  # Single host, no auth, everything on loopback. Pitfalls (see the reference recipe): without 'public addr' the
  # OSD cannot create its socket; without the six 'ms * mode = crc' radosgw fails with "get_initial_auth_request
  # returned -13" under auth none.
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = 127.0.0.1:$mon_port
mon initial members = a
public network = 127.0.0.0/8
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms client mode = crc
ms mon client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 5
osd crush chooseleaf type = 0
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
[mon]
mon data = $dir/mon/\$id
mon max pg per osd = 1000
[osd]
osd data = $dir/osd/\$id
osd objectstore = memstore
memstore device bytes = $((mib * 1024 * 1024))
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
# Deleted objects' data is freed by a garbage collector that by default waits 2 h: with a RAM-capped OSD the test
# runs would fill it (a full Ceph cluster then blocks every write instead of refusing it). Collect at once.
rgw gc obj min wait = 0
rgw gc processor period = 5
rgw gc processor max time = 5
CONF

  local conf=$dir/ceph.conf id
  monmaptool --conf "$conf" --create --add a "127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null ||
    { bf_ceph_error "monmaptool failed"; return 1; }
  ceph-mon --conf "$conf" --mkfs -i a --monmap "$dir/monmap" >"$dir/log/mkfs-mon.out" 2>&1 ||
    { bf_ceph_error "ceph-mon --mkfs failed"; tail -n 20 "$dir/log/mkfs-mon.out" >&2; return 1; }
  # The daemons fork into the background and write their pids to $dir/run/*.pid.
  ceph-mon --conf "$conf" -i a || { bf_ceph_error "ceph-mon did not start"; bf_stop_ceph_rgw "$dir"; return 1; }
  # Every ceph command hangs while the monitor is unreachable: hence the timeouts.
  id=$(timeout 30 ceph --conf "$conf" osd create) ||
    { bf_ceph_error "the monitor did not answer 'osd create'"; bf_stop_ceph_rgw "$dir"; return 1; }
  timeout 60 ceph-osd --conf "$conf" -i "$id" --mkfs >"$dir/log/mkfs-osd.out" 2>&1 ||
    { bf_ceph_error "ceph-osd --mkfs failed"; tail -n 20 "$dir/log/mkfs-osd.out" >&2; bf_stop_ceph_rgw "$dir"; return 1; }
  timeout 60 ceph-osd --conf "$conf" -i "$id" 2>>"$dir/log/start.err" ||
    { bf_ceph_error "ceph-osd did not start"; bf_stop_ceph_rgw "$dir"; return 1; }

  local deadline=$((SECONDS + 60))
  until timeout 10 ceph --conf "$conf" osd stat 2>/dev/null | grep -q "1 up"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      bf_ceph_error "the OSD did not come up within 60 s; last lines of $dir/log/osd.$id.log:"
      tail -n 20 "$dir/log/osd.$id.log" >&2 || true
      bf_stop_ceph_rgw "$dir"
      return 1
    fi
    sleep 1
  done

  radosgw --conf "$conf" -n client.rgw.a || { bf_ceph_error "radosgw did not start"; bf_stop_ceph_rgw "$dir"; return 1; }
  deadline=$((SECONDS + 90))
  until bf_port_open "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      bf_ceph_error "radosgw did not answer on 127.0.0.1:$port within 90 s; last lines of $dir/log/client.rgw.a.log:"
      tail -n 20 "$dir/log/client.rgw.a.log" >&2 || true
      bf_stop_ceph_rgw "$dir"
      return 1
    fi
    sleep 1
  done
  timeout 60 radosgw-admin --conf "$conf" -n client.rgw.a user create --uid=bftest --display-name="BackupFunctions tests" \
    --access-key="$BF_CEPH_RGW_ACCESS_KEY" --secret-key="$BF_CEPH_RGW_SECRET_KEY" >/dev/null 2>>"$dir/log/start.err" ||
    { bf_ceph_error "radosgw-admin user create failed"; bf_stop_ceph_rgw "$dir"; return 1; }
  # A second user with no rights on the first one's buckets: the permission tests use it.
  timeout 60 radosgw-admin --conf "$conf" -n client.rgw.a user create --uid=bfother --display-name="BackupFunctions other" \
    --access-key="${BF_CEPH_RGW_ACCESS_KEY}2" --secret-key="${BF_CEPH_RGW_SECRET_KEY}2" >/dev/null 2>>"$dir/log/start.err" ||
    { bf_ceph_error "radosgw-admin user create (second user) failed"; bf_stop_ceph_rgw "$dir"; return 1; }

  export BF_TEST_S3_ENDPOINT=http://127.0.0.1:$port
  export BF_TEST_S3_ACCESS_KEY=$BF_CEPH_RGW_ACCESS_KEY BF_TEST_S3_SECRET_KEY=$BF_CEPH_RGW_SECRET_KEY
  export BF_TEST_S3_OTHER_ACCESS_KEY=${BF_CEPH_RGW_ACCESS_KEY}2 BF_TEST_S3_OTHER_SECRET_KEY=${BF_CEPH_RGW_SECRET_KEY}2
  bf_ceph_log "Ceph RGW up on http://127.0.0.1:$port (memstore ${mib} MiB; pids in $dir/run)"
}

# bf_stop_ceph_rgw [DATA_DIR]   (default: the folder of the last bf_start_ceph_rgw in this shell)
bf_stop_ceph_rgw() {
  local dir=${1:-${BF_CEPH_RGW_DIR:-}}
  [ -n "$dir" ] || return 0
  local pidfile pid pids=()
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  # ~15 s to exit, then make sure they are gone: a leftover holds the ports for the next run.
  for _ in $(seq 1 75); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      bf_ceph_log "ceph process $pid ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  bf_remove_dir "$dir"
  [ "${BF_CEPH_RGW_DIR:-}" != "$dir" ] || unset BF_CEPH_RGW_DIR
}
