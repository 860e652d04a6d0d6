#!/usr/bin/env bash
# Compose smoke test: docker-compose.yml and the Dockerfile, really run.
#
# Builds the image and brings the production stack up as docker-compose.yml defines it (db,
# redis, migrate, web with gunicorn and the production settings, worker, beat, and the bridge of
# a reader), from a copy of this working tree with a throw-away .env and users.acl (generated
# passwords and device secret). The bridge reads a virtual serial cable: a TCP "serial port"
# (socket://, as a serial-to-network box) served by .ci/compose_smoke.py with reader lines of demo
# animals. The script registers the reader with the app's own command, logs in over HTTP through
# the published port, and checks that every read is stored in PostgreSQL exactly once and shows
# on the reader's page. The stack is always taken down (down -v), also on failure, after
# printing its logs.
#
#   .ci/compose_smoke.sh          (as root: installs Docker and the local images when missing)
#
# No registry is reachable here: ../shared/tools/local-images/build installs Debian's docker.io
# and docker-compose (v1) and builds local images named like the official ones. Under CI=true a
# missing tool or a Docker that does not start is a failure; elsewhere the test is skipped.
# Environment: COMPOSE="docker compose" to use Compose v2 (default: docker-compose if present).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=$ROOT/.venv/bin/python
[ -x "$PY" ] || PY=$(command -v python3)
HELPER=("$PY" "$ROOT/.ci/compose_smoke.py")
# The classic builder: BuildKit would fetch its frontend from a registry (and Compose v1 builds
# through the Docker API unless told to call the CLI).
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
START=$SECONDS
say() { printf '[compose-smoke %4ss] %s\n' $((SECONDS - START)) "$*"; }
unavailable() {
  if [ "${CI:-}" = true ]; then
    say "FAIL: $*"
    exit 1
  fi
  say "SKIP: $*"
  exit 0
}

DEVICE=smoke-gate-1          # the reader's device id; its Redis user is rfid-$DEVICE
SITE_HOST=livestock.smoke.test
TAGS=12                      # animals passing the reader
REPEATS=3                    # reads of each while in range
WAIT_READS=120               # seconds for every read to be stored

# --- Docker and the local images ---------------------------------------------------------------
TOOL=""
for candidate in "$ROOT/../shared/tools/local-images/build" /work/shared/tools/local-images/build; do
  if [ -f "$candidate" ]; then
    TOOL=$(cd "$(dirname "$candidate")" && pwd)/build
    break
  fi
done
DOCKER_WAS_UP=0
docker info >/dev/null 2>&1 && DOCKER_WAS_UP=1
if [ -n "$TOOL" ] && [ "$(id -u)" = 0 ]; then
  say "local images: $TOOL"
  TOOL_LOG=$(mktemp)
  if ! bash "$TOOL" >"$TOOL_LOG" 2>&1; then
    tail -n 30 "$TOOL_LOG"
    rm -f "$TOOL_LOG"
    unavailable "the local-images build failed (Docker not installed or not starting)"
  fi
  sed 's/^/    /' "$TOOL_LOG"
  rm -f "$TOOL_LOG"
elif [ -z "$TOOL" ]; then
  [ "${CI:-}" = true ] && unavailable "no local-images tool at $ROOT/../shared/tools/local-images/build"
  say "no local-images tool: using this machine's Docker and its images"
else
  say "not root: the local-images tool is not run; using this machine's Docker and its images"
fi
docker info >/dev/null 2>&1 || unavailable "Docker does not answer (docker info)"
if [ -n "${COMPOSE:-}" ]; then
  read -r -a COMPOSE_CMD <<<"$COMPOSE"
elif command -v docker-compose >/dev/null; then
  COMPOSE_CMD=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  COMPOSE_CMD=(docker compose)
else
  unavailable "neither docker-compose nor docker compose is installed"
fi
say "compose: $("${COMPOSE_CMD[@]}" version 2>/dev/null | head -n 1)"

# --- A copy of the working tree, with a throw-away .env and users.acl --------------------------
WORK=$(mktemp -d /tmp/lv-compose-smoke.XXXXXX)   # mode 700: the secrets below stay private
APP=$WORK/app
PROJECT=lvsmoke$$
IMAGE=hk-livestock:compose-smoke
MAIN_PID=""
dc() { (cd "$APP" && "${COMPOSE_CMD[@]}" -p "$PROJECT" --profile bridge "$@"); }
cid() {  # a service's container, running or not (v1 and v2 alike)
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"
}
sql() { dc exec -T db psql -U livestock -d livestock -v ON_ERROR_STOP=1 -qtAc "$1"; }

# Always, whatever happened: the logs on failure, then the stack, the cable and the copy go away.
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [ -n "$MAIN_PID" ] && kill "$MAIN_PID" 2>/dev/null   # interrupted: stop the steps first
  if [ -e "$WORK/stack" ]; then
    if [ "$rc" != 0 ]; then
      say "FAILED (exit $rc): the stack's containers and their last log lines"
      docker ps -a --filter "label=com.docker.compose.project=$PROJECT" \
        --format 'table {{.Label "com.docker.compose.service"}}\t{{.Status}}'
      dc logs --no-color --tail=60 2>&1
      [ -f "$WORK/cable.log" ] && { echo "--- virtual cable"; cat "$WORK/cable.log"; }
    fi
    say "down -v"
    # A throw-away stack: no graceful stop needed (it would take 10 s or more).
    dc kill >/dev/null 2>&1
    dc down -v --remove-orphans -t 1 >/dev/null 2>&1 || dc down -v --remove-orphans -t 1
  fi
  [ -s "$WORK/cable.pid" ] && kill "$(cat "$WORK/cable.pid")" 2>/dev/null
  rm -rf "$WORK"
  if [ "$DOCKER_WAS_UP" = 0 ] && [ -n "$TOOL" ] && [ "$(id -u)" = 0 ]; then
    bash "$TOOL" --stop >/dev/null 2>&1   # the dockerd the tool started for this run
  fi
  if [ "$rc" = 0 ]; then say "compose smoke test passed"; else say "compose smoke test FAILED"; fi
  exit "$rc"
}

# The steps run in a child, so that a signal gets its cleanup at once (bash would otherwise wait
# for the command in progress, e.g. seed_demo, before running a trap).
main() {
  mkdir "$APP"
  # Tracked and new files as they are now (what `git clone` gives in CI, plus local changes).
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$APP" -xf -

  token() { "${HELPER[@]}" token "$@"; }
  PG_PASSWORD=$(token)
  REDIS_PASSWORD=$(token)
  BRIDGE_REDIS_PASSWORD=$(token)
  BRIDGE_SECRET=$(token)
  ADMIN_PASSWORD=$(token --bytes 16)
  WEB_PORT=$("${HELPER[@]}" free-port)
  {
    echo "DJANGO_SECRET_KEY=$(token --bytes 40)"
    echo "QUARANTINE_SIGNING_KEY=$(token --bytes 32)"
    echo "DJANGO_ALLOWED_HOSTS=$SITE_HOST"
    echo "DJANGO_CSRF_TRUSTED_ORIGINS=https://$SITE_HOST"
    echo "DATABASE_URL=postgres://livestock:$PG_PASSWORD@db:5432/livestock"
    echo "REDIS_URL=redis://default:$REDIS_PASSWORD@redis:6379/0"
    echo "REDIS_PASSWORD=$REDIS_PASSWORD"
    echo "POSTGRES_DB=livestock"
    echo "POSTGRES_USER=livestock"
    echo "POSTGRES_PASSWORD=$PG_PASSWORD"
    echo "WEB_PUBLISH=127.0.0.1:$WEB_PORT"
    echo "LIVESTOCK_IMAGE=$IMAGE"
    echo "RFID_BRIDGE_DEVICE=$DEVICE"
    echo "RFID_BRIDGE_SECRET=$BRIDGE_SECRET"
    echo "RFID_BRIDGE_REDIS_PASSWORD=$BRIDGE_REDIS_PASSWORD"
    echo "RFID_BRIDGE_PROFILE=allflex"
    echo "RFID_READER_DEVICE=/dev/null"
  } >"$APP/.env"
  # The documented lines of deploy/redis/users.acl.example, with this run's passwords; readable by
  # the container's redis user (the directory above is private).
  sed -e "s/APP-PASSWORD/$REDIS_PASSWORD/" -e "s/GATE-1-PASSWORD/$BRIDGE_REDIS_PASSWORD/" \
    -e "s/gate-1/$DEVICE/g" "$APP/deploy/redis/users.acl.example" >"$APP/deploy/redis/users.acl"
  chmod 644 "$APP/deploy/redis/users.acl"
  grep -q "user rfid-$DEVICE on >$BRIDGE_REDIS_PASSWORD .*~rfid:acks:$DEVICE\$" "$APP/deploy/redis/users.acl" \
    || { say "FAIL: users.acl.example has no bridge line for gate-1 to adapt"; exit 1; }

  # --- Build and up --------------------------------------------------------------------------------
  say "build ($IMAGE)"
  touch "$WORK/stack"   # from here on, cleanup takes a stack down
  dc build migrate >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log"; say "FAIL: build"; exit 1; }
  say "built: $(grep -c 'Using cache' "$WORK/build.log") of $(($(grep -c '^Step ' "$WORK/build.log") - 1)) steps from the cache"
  # The previous build of this image, now untagged (its layers shared with this one stay).
  docker image prune -f --filter "label=org.opencontainers.image.title=hk-livestock" >/dev/null || true
  say "up: db, redis, migrate, web, worker, beat (web on 127.0.0.1:$WEB_PORT)"
  dc up -d web worker beat
  "${HELPER[@]}" wait-web "http://127.0.0.1:$WEB_PORT" --host "$SITE_HOST" --timeout 300
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$(cid migrate)")" = 0 ] \
    || { say "FAIL: migrate did not exit 0"; exit 1; }

  say "seed_demo (demo enterprises, farms and animals), a password for sysadmin"
  dc exec -T web python manage.py seed_demo --quiet-logins
  # changepassword reads the password twice; without a terminal it takes it from standard input.
  printf '%s\n%s\n' "$ADMIN_PASSWORD" "$ADMIN_PASSWORD" \
    | dc exec -T web python manage.py changepassword sysadmin >"$WORK/password.log" 2>&1 \
    || { cat "$WORK/password.log"; say "FAIL: changepassword sysadmin"; exit 1; }

  # The reader stands on the demo farm with the most animals; the cable carries some of their tags.
  FARM_PY="
from django.db.models import Count
from livestock.models import Animal
on_farm = Animal.objects.filter(status=Animal.Status.ON_FARM, rfid__isnull=False).exclude(farm__registration_number='')
farm = on_farm.values('farm__registration_number').annotate(n=Count('id')).order_by('-n', 'farm__registration_number')[0]['farm__registration_number']
print(farm)
print(*on_farm.filter(farm__registration_number=farm).order_by('id').values_list('rfid', flat=True)[:$TAGS], sep='\n')
"
  dc exec -T web python manage.py shell --no-imports -c "$FARM_PY" >"$WORK/farm.txt"
  FARM=$(head -n 1 "$WORK/farm.txt")
  tail -n +2 "$WORK/farm.txt" >"$WORK/tags.txt"
  [ "$(wc -l <"$WORK/tags.txt")" = "$TAGS" ] || { say "FAIL: fewer than $TAGS demo animals on $FARM"; exit 1; }
  say "register reader $DEVICE on farm $FARM (secret from .env)"
  dc exec -T web python manage.py reader_register "$DEVICE" --name "Compose smoke-test chute" \
    --farm "$FARM" --secret-env RFID_BRIDGE_SECRET | tee "$WORK/register.txt"
  DEVICE_ID=$(sed -n 's/.*(id \([0-9]*\)).*/\1/p' "$WORK/register.txt")

  # --- The bridge on a virtual cable -----------------------------------------------------------------
  # The cable listens on this project's network gateway: only the stack's containers reach it.
  GATEWAY=$(docker network inspect "${PROJECT}_default" -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
  "${HELPER[@]}" cable --bind "$GATEWAY" --port-file "$WORK/cable.port" --tags "$WORK/tags.txt" \
    --repeats "$REPEATS" >"$WORK/cable.log" 2>&1 &
  echo $! >"$WORK/cable.pid"
  for _ in $(seq 1 50); do [ -s "$WORK/cable.port" ] && break; sleep 0.1; done
  [ -s "$WORK/cable.port" ] || { say "FAIL: the virtual cable did not start"; exit 1; }
  echo "RFID_BRIDGE_PORT=socket://$GATEWAY:$(cat "$WORK/cable.port")" >>"$APP/.env"
  say "up: bridge on socket://$GATEWAY:$(cat "$WORK/cable.port")"
  dc up -d --no-deps bridge

  # Where a read went missing: what the bridge took from the cable and spooled, what the server
  # stored (seq:tag:repeat) and what it refused.
  reads_evidence() {
    set +e
    echo "--- the bridge's spool and status"
    dc exec -T bridge python -m rfid_bridge status --spool /app/var/bridge/spool.sqlite3 \
      --status-file /app/var/bridge/status.json
    echo "--- stored reads (seq:tag:repeat)"
    sql "SELECT string_agg(r.seq || ':' || r.tag || ':' || r.repeat, ' ' ORDER BY r.seq)
      FROM livestock_tagread r JOIN livestock_readerdevice d ON d.id = r.device_id WHERE d.code = '$DEVICE'"
    echo "--- refused payloads"
    sql "SELECT received_at, reason, left(payload::text, 300) FROM livestock_rejectedpayload ORDER BY id"
    set -e
  }

  # --- Every read stored once, in PostgreSQL ---------------------------------------------------------
  EXPECTED=$((TAGS * REPEATS))
  say "waiting for $EXPECTED reads in PostgreSQL"
  READS_SQL="SELECT count(*) FROM livestock_tagread r JOIN livestock_readerdevice d ON d.id = r.device_id
    WHERE d.code = '$DEVICE'"
  STORED=0
  DEADLINE=$((SECONDS + WAIT_READS))
  while [ "$SECONDS" -lt "$DEADLINE" ]; do
    STORED=$(sql "$READS_SQL")
    [ "$STORED" -ge "$EXPECTED" ] && break
    sleep 2
  done
  if [ "$STORED" != "$EXPECTED" ]; then
    say "FAIL: $STORED reads stored after ${WAIT_READS} s, expected $EXPECTED; what each side has:"
    reads_evidence
    exit 1
  fi
  # Per tag: every read, each matched to its animal, the first one a sighting and the rest re-reads.
  sort "$WORK/tags.txt" | awk -v n="$REPEATS" '{print $1 "|" n "|" n "|1"}' >"$WORK/expected.txt"
  sql "SELECT r.tag, count(*), count(r.animal_id), count(*) FILTER (WHERE NOT r.repeat)
    FROM livestock_tagread r JOIN livestock_readerdevice d ON d.id = r.device_id
    WHERE d.code = '$DEVICE' GROUP BY r.tag ORDER BY r.tag" >"$WORK/stored.txt"
  if ! diff "$WORK/expected.txt" "$WORK/stored.txt"; then
    say "FAIL: the stored reads differ (tag|reads|matched|sightings)"
    reads_evidence
    exit 1
  fi
  say "ok: $STORED reads stored, each tag $REPEATS times, all matched to their animals"
  [ "$(sql "SELECT heartbeat_at IS NOT NULL FROM livestock_readerdevice WHERE code = '$DEVICE'")" = t ] \
    || { say "FAIL: no heartbeat of the bridge stored"; exit 1; }
  say "ok: the bridge's heartbeat is stored"
  # The worker's acknowledgements reach the bridge through its restricted Redis user: the spool empties.
  PENDING=""
  DEADLINE=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$DEADLINE" ]; do
    PENDING=$(dc exec -T bridge python -m rfid_bridge status --spool /app/var/bridge/spool.sqlite3 --json \
      | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["spool"]["pending"])')
    [ "$PENDING" = 0 ] && break
    sleep 1
  done
  [ "$PENDING" = 0 ] || { say "FAIL: $PENDING reads still unacknowledged in the bridge's spool"; exit 1; }
  say "ok: the bridge's spool is empty (every batch acknowledged)"

  # --- Over HTTP: production settings, log-in, the reader's page -------------------------------------
  SMOKE_PASSWORD=$ADMIN_PASSWORD "${HELPER[@]}" web-check "http://127.0.0.1:$WEB_PORT" --host "$SITE_HOST" \
    --user sysadmin --device-id "$DEVICE_ID" --device-code "$DEVICE" --tags "$WORK/tags.txt" --repeats "$REPEATS"

  # Nothing crashed or restarted meanwhile.
  for service in web worker beat bridge; do
    state=$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$(cid "$service")")
    [ "$state" = "running 0" ] || { say "FAIL: $service is '$state' (status, restarts)"; exit 1; }
  done
  say "ok: web, worker, beat and bridge running, never restarted"
}

trap cleanup EXIT
trap 'exit 130' INT TERM
main &
MAIN_PID=$!
wait "$MAIN_PID"
MAIN_PID=""
