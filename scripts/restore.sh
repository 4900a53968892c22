#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database of DATABASE_URL and the media folders.
#   BACKUP_KEY=... scripts/restore.sh DIR
# The target database should be new and empty (create it first; on PostgreSQL: createdb). An encrypted
# backup (*.gpg) needs the BACKUP_KEY it was made with: every file is decrypted and checked into a private
# temporary folder first, so a wrong key or a damaged file stops the restore before the database is
# touched. Then the script migrates the database, empties it (including the rows the migrations create,
# which the backup holds too), loads data.json.gz, unpacks the files and rebuilds the derived data
# (search and reference indexes). Stop the app servers first. Restores of the native copies are in
# docs/deploying.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-${VENV:-.venv}/bin/python}
DIR=${1:?usage: scripts/restore.sh DIR}
source scripts/backup_crypto.sh

umask 077
WORK=$(mktemp -d)
trap 'crypto_cleanup; rm -rf "$WORK"' EXIT
if [[ -f "$DIR/data.json.gz.gpg" ]]; then
    [[ -n "${BACKUP_KEY:-}" ]] || { echo "restore: $DIR is encrypted; set BACKUP_KEY" >&2; exit 1; }
    check_key
    for name in data.json.gz media.tar.gz private.tar.gz; do
        unseal "$DIR/$name.gpg" "$WORK/$name" || { echo "restore: cannot decrypt $DIR/$name.gpg (wrong BACKUP_KEY or damaged file); nothing was changed" >&2; exit 1; }
    done
    SRC=$WORK
elif [[ -f "$DIR/data.json.gz" ]]; then
    SRC=$DIR
else
    echo "restore: $DIR/data.json.gz(.gpg) not found" >&2
    exit 1
fi
gzip -t "$SRC/data.json.gz" || { echo "restore: $SRC/data.json.gz is damaged; nothing was changed" >&2; exit 1; }

"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py createcachetable
"$PY" manage.py flush --noinput
"$PY" manage.py loaddata "$SRC/data.json.gz"

# Written to a file, not stdout: stdout is also where the application log goes.
"$PY" -c 'import sys, django; django.setup(); from django.conf import settings as s; open(sys.argv[1], "w").write(f"{s.MEDIA_ROOT} {s.PRIVATE_MEDIA_ROOT}\n")' "$WORK/settings"
read -r MEDIA PRIVATE < "$WORK/settings"
for pair in "media:$MEDIA" "private:$PRIVATE"; do
    name=${pair%%:*} root=${pair#*:}
    mkdir -p "$root"
    tar -C "$root" -xzf "$SRC/$name.tar.gz"
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
