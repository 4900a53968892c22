#!/usr/bin/env bash
# Production server (`make serve`): migrate, collect static files, create the cache table, then run
# gunicorn (scripts/gunicorn.conf.py) and, when django-tasks' database backend is installed, its worker
# (`manage.py db_worker`) alongside. Settings come from the environment (docs/deploying.md);
# DJANGO_ENV defaults to production, which refuses to start without SECRET_KEY.
#
# SERVE_SETUP=0 skips migrate/collectstatic/createcachetable (for the 2nd..nth app server: run the
# set-up once per release, from one machine). If either process exits, the other is stopped too, so a
# supervisor (systemd, Docker) restarts the whole unit.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
export DJANGO_ENV=${DJANGO_ENV:-production}

if [[ "${SERVE_SETUP:-1}" != "0" ]]; then
    "$PY" manage.py migrate --noinput
    "$PY" manage.py collectstatic --noinput --verbosity 0
    "$PY" manage.py createcachetable
fi

pids=()
stop_all() {
    trap - TERM INT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait || true
}
trap 'stop_all; exit 143' TERM INT

"$VENV/bin/gunicorn" --config scripts/gunicorn.conf.py &
pids+=($!)

# The background-task worker exists only when django-tasks-db is installed and configured.
if "$PY" manage.py help db_worker >/dev/null 2>&1; then
    "$PY" manage.py db_worker --backend exports &
    pids+=($!)
fi

set +e
wait -n "${pids[@]}"
rc=$?
set -e
echo "serve: a process exited with status $rc; stopping the others" >&2
stop_all
exit $(( rc == 0 ? 1 : rc ))
