#!/usr/bin/env bash
# Production server (`make serve`): migrate, collect static files, create the cache table, then run
# gunicorn (scripts/gunicorn.conf.py) and one background-task worker (`manage.py db_worker --backend NAME`)
# for every django-tasks database backend in settings.TASKS. Settings come from the environment
# (docs/deploying.md); DJANGO_ENV defaults to production, which refuses to start without SECRET_KEY.
#
# SERVE_SETUP=0 skips migrate/collectstatic/createcachetable (for the 2nd..nth app server: run the
# set-up once per release, from one machine).
# A worker that exits is restarted (after TASK_WORKER_RESTART_DELAY seconds). One that keeps dying
# (TASK_WORKER_MAX_RESTARTS restarts in a row, each within TASK_WORKER_STABLE_SECONDS of starting) takes
# the whole service down, as does gunicorn exiting: the script then exits non-zero so that a supervisor
# (systemd, Docker) restarts the unit and the failure is visible in its log.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
export DJANGO_ENV=${DJANGO_ENV:-production}
WORKER_MAX_RESTARTS=${TASK_WORKER_MAX_RESTARTS:-5}
WORKER_STABLE_SECONDS=${TASK_WORKER_STABLE_SECONDS:-30}
WORKER_RESTART_DELAY=${TASK_WORKER_RESTART_DELAY:-1}

if [[ "${SERVE_SETUP:-1}" != "0" ]]; then
    "$PY" manage.py migrate --noinput
    "$PY" manage.py collectstatic --noinput --verbosity 0
    "$PY" manage.py createcachetable
fi

# The database backends are read from the settings, so a backend added there gets its worker without a
# change here. A backend that is not a database one (the immediate default) needs no worker: running
# db_worker for it exits at once.
backends=$("$PY" manage.py shell --no-imports --verbosity 0 --command "
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django.conf import settings
print('\n'.join(name for name in settings.TASKS if isinstance(task_backends[name], DatabaseBackend)))
")

pids=()
stop_all() {
    trap - TERM INT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait || true
}
trap 'stop_all; exit 143' TERM INT

# Runs in a subshell per backend: restarts its worker; exits 1 when the worker keeps failing.
supervise_worker() {
    local backend=$1 failures=0 started child="" rc worker_id
    # One id per host and backend, the same across restarts: what a dead worker had claimed is known by
    # it, so recover_exports queues it again before the next worker with that id starts (db_worker
    # wants ids unique in the pool, and only this loop runs a worker with it, one at a time).
    worker_id="${TASK_WORKER_ID_PREFIX:-$(hostname)}"
    worker_id="${worker_id:0:50}-$backend"
    worker_id="${worker_id:0:64}"
    trap '[[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
        started=$SECONDS
        "$PY" manage.py recover_exports --backend "$backend" --worker-id "$worker_id" --verbosity 0 \
            || echo "serve: recover_exports for '$backend' failed; starting the worker anyway" >&2
        "$PY" manage.py db_worker --backend "$backend" --queue-name '*' --worker-id "$worker_id" &
        child=$!
        rc=0
        wait "$child" || rc=$?
        if (( SECONDS - started >= WORKER_STABLE_SECONDS )); then failures=0; fi
        failures=$((failures + 1))
        if (( failures > WORKER_MAX_RESTARTS )); then
            echo "serve: task worker '$backend' exited with status $rc $failures times in a row within" \
                 "${WORKER_STABLE_SECONDS} s of starting; stopping the service" >&2
            exit 1
        fi
        echo "serve: task worker '$backend' exited with status $rc; restarting it" \
             "($failures/${WORKER_MAX_RESTARTS})" >&2
        sleep "$WORKER_RESTART_DELAY"
    done
}

"$VENV/bin/gunicorn" --config scripts/gunicorn.conf.py &
pids+=($!)

for backend in $backends; do
    echo "serve: starting the task worker for backend '$backend'" >&2
    supervise_worker "$backend" &
    pids+=($!)
done

set +e
wait -n "${pids[@]}"
rc=$?
set -e
echo "serve: a process exited with status $rc; stopping the others" >&2
stop_all
exit $(( rc == 0 ? 1 : rc ))
