#!/usr/bin/env bash
# Back up everything Sigap Kerja keeps: the database and the uploaded files.
#   scripts/backup.sh [DIR]        (default DIR: var/backups/<UTC time>)
# Writes into DIR:
#   data.json.gz   all records as JSON, primary keys kept, content types by natural key (portable: restores into SQLite or PostgreSQL
#                  of any version; scripts/restore.sh loads it)
#   media.tar.gz   MEDIA_ROOT (public images)          private.tar.gz  PRIVATE_MEDIA_ROOT (private uploads)
#   db.sqlite3 or db.pgdump   a native copy as well (sqlite3 online backup / pg_dump -Fc), fastest to restore
# Settings (DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT, DJANGO_ENV...) come from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-${VENV:-.venv}/bin/python}
DIR=${1:-var/backups/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$DIR"

# Derived data (search index, reference index, sessions) is left out: restore.sh rebuilds it.
# "backupjson" is plain JSON that keeps audit-log entries of deleted pages (portal/backup_serializer.py).
"$PY" manage.py dumpdata --format backupjson --natural-foreign \
    --exclude contenttypes --exclude auth.permission --exclude sessions \
    --exclude wagtailsearch.indexentry --exclude wagtailcore.referenceindex \
    --output "$DIR/data.json.gz"

read -r MEDIA PRIVATE ENGINE NAME < <("$PY" - <<'PYEOF'
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, db["ENGINE"].rsplit(".", 1)[-1], db["NAME"])
PYEOF
)
for pair in "media:$MEDIA" "private:$PRIVATE"; do
    name=${pair%%:*} root=${pair#*:}
    if [[ -d "$root" ]]; then tar -C "$root" -czf "$DIR/$name.tar.gz" .; else tar -czf "$DIR/$name.tar.gz" -T /dev/null; fi
done

case "$ENGINE" in
    sqlite3)  # the online backup API copies a consistent snapshot while the site keeps running
        "$PY" -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' \
            "$NAME" "$DIR/db.sqlite3" ;;
    postgresql)
        if command -v pg_dump >/dev/null; then
            pg_dump --format=custom --no-owner --file "$DIR/db.pgdump" "$DATABASE_URL"
        fi ;;
esac
echo "backup: $DIR"
