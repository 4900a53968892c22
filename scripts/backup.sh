#!/usr/bin/env bash
# Back up everything Sigap Kerja keeps: the database and the uploaded files, encrypted.
#   BACKUP_KEY=... scripts/backup.sh [DIR]        (default DIR: var/backups/<UTC time>)
# Writes into DIR (".gpg": encrypted with BACKUP_KEY; without a key, outside production, the same names
# without ".gpg"):
#   data.json.gz.gpg   all records as JSON, primary keys kept, content types by natural key (portable: restores
#                      into SQLite or PostgreSQL of any version; scripts/restore.sh loads it)
#   media.tar.gz.gpg   MEDIA_ROOT (public images)      private.tar.gz.gpg  PRIVATE_MEDIA_ROOT (private uploads)
#   db.sqlite3.gpg or db.pgdump.gpg   a native copy as well (sqlite3 online backup / pg_dump -Fc)
# Encryption: GnuPG's symmetric OpenPGP (AES-256, integrity-protected, streamed), so any machine with
# `gpg` can decrypt a backup without this code: gpg --decrypt data.json.gz.gpg > data.json.gz
# BACKUP_KEY comes from the environment (at least 16 characters, e.g. `openssl rand -base64 32`; keep it
# apart from the backups). It reaches gpg through a pipe, never the command line. Production
# (DJANGO_ENV=production) refuses to back up without it. Nothing unencrypted is written to DIR; the
# JSON dump and the SQLite snapshot pass through a private temporary folder that is removed on exit.
# Settings (DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT, DJANGO_ENV...) come from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-${VENV:-.venv}/bin/python}
DIR=${1:-var/backups/$(date -u +%Y%m%dT%H%M%SZ)}
source scripts/backup_crypto.sh

if [[ -z "${BACKUP_KEY:-}" ]]; then
    if [[ "${DJANGO_ENV:-}" == "production" || "${DJANGO_SETTINGS_MODULE:-}" == *production* ]]; then
        echo "backup: BACKUP_KEY is not set; production backups hold NIK/KK and must be encrypted" >&2
        exit 1
    fi
    echo "backup: BACKUP_KEY is not set: writing an UNENCRYPTED backup (development only)" >&2
fi
check_key
umask 077
mkdir -p "$DIR"
WORK=$(mktemp -d)
trap 'crypto_cleanup; rm -rf "$WORK"' EXIT

# Derived data (search index, reference index, sessions) is left out: restore.sh rebuilds it.
# "backupjson" is plain JSON that keeps audit-log entries of deleted pages (portal/backup_serializer.py).
"$PY" manage.py dumpdata --format backupjson --natural-foreign \
    --exclude contenttypes --exclude auth.permission --exclude sessions \
    --exclude wagtailsearch.indexentry --exclude wagtailcore.referenceindex \
    --output "$WORK/data.json.gz"
seal "$DIR/data.json.gz" < "$WORK/data.json.gz"

# Written to a file, not stdout: stdout is also where the application log goes.
"$PY" - "$WORK/settings" <<'PYEOF'
import sys
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
with open(sys.argv[1], "w") as out:
    print(settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, db["ENGINE"].rsplit(".", 1)[-1], db["NAME"], file=out)
PYEOF
read -r MEDIA PRIVATE ENGINE NAME < "$WORK/settings"
for pair in "media:$MEDIA" "private:$PRIVATE"; do
    name=${pair%%:*} root=${pair#*:}
    if [[ -d "$root" ]]; then tar -C "$root" -czf - .; else tar -czf - -T /dev/null; fi | seal "$DIR/$name.tar.gz"
done

case "$ENGINE" in
    sqlite3)  # the online backup API copies a consistent snapshot while the site keeps running
        "$PY" -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' \
            "$NAME" "$WORK/db.sqlite3"
        seal "$DIR/db.sqlite3" < "$WORK/db.sqlite3" ;;
    postgresql)
        if command -v pg_dump >/dev/null; then
            pg_dump --format=custom --no-owner "$DATABASE_URL" | seal "$DIR/db.pgdump"
        fi ;;
esac
echo "backup: $DIR${BACKUP_KEY:+ (encrypted)}"
