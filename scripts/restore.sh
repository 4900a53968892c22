#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database of DATABASE_URL and the media folders.
#   scripts/restore.sh DIR
# The target database should be new and empty (create it first; on PostgreSQL: createdb). The script
# migrates it, empties it (including the rows the migrations create, which the backup holds too), loads
# data.json.gz, unpacks the files and rebuilds the derived data (search and reference indexes).
# Stop the app servers first. Restores of the native copies are in docs/deploying.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-${VENV:-.venv}/bin/python}
DIR=${1:?usage: scripts/restore.sh DIR}
test -f "$DIR/data.json.gz" || { echo "restore: $DIR/data.json.gz not found" >&2; exit 1; }

"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py createcachetable
"$PY" manage.py flush --noinput
"$PY" manage.py loaddata "$DIR/data.json.gz"

read -r MEDIA PRIVATE < <("$PY" -c 'import django; django.setup(); from django.conf import settings as s; print(s.MEDIA_ROOT, s.PRIVATE_MEDIA_ROOT)')
for pair in "media:$MEDIA" "private:$PRIVATE"; do
    name=${pair%%:*} root=${pair#*:}
    mkdir -p "$root"
    tar -C "$root" -xzf "$DIR/$name.tar.gz"
done

"$PY" manage.py rebuild_references_index --verbosity 0
# The search index is derived data: empty it (loaddata's save signals leave partial entries behind, and on
# SQLite the FTS5 shadow table can keep rows the rebuild then collides with), then rebuild it whole.
"$PY" manage.py shell --verbosity 0 -c '
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM wagtailsearch_indexentry")
    if connection.vendor == "sqlite":
        cursor.execute("DELETE FROM wagtailsearch_indexentry_fts")
'
"$PY" manage.py update_index --verbosity 0
echo "restore: $DIR loaded"
