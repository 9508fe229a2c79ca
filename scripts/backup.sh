#!/usr/bin/env bash
# Backs up what cannot be rebuilt: the database (pg_dump of PostgreSQL, or a consistent
# copy of the SQLite file), the content staff edit, and the data folder's secrets (the
# pseudonym salt: without it nobody's preferences or subscriptions are found again).
# Keeps PORADNYK_BACKUP_KEEP_DAYS days (14) in PORADNYK_BACKUP_DIR (/var/backups/poradnyk).
# Run daily by deploy/systemd/poradnyk-backup.timer (docs/deployment.md); copy the folder
# off the machine too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${PORADNYK_BACKUP_DIR:-/var/backups/poradnyk}"
keep="${PORADNYK_BACKUP_KEEP_DAYS:-14}"
content="${PORADNYK_CONTENT_DIR:-$root/content}"
data="${PORADNYK_DATA_DIR:-$root/var}"
url="${PORADNYK_DATABASE_URL:-sqlite:///$data/poradnyk.sqlite3}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
umask 077
mkdir -p "$dest"

# Written under a temporary name and renamed: a half-written backup never looks complete.
case "$url" in
  postgres://* | postgresql://*)
    pg_dump --format=custom --no-owner --dbname="$url" --file="$dest/db-$stamp.dump.tmp"
    mv "$dest/db-$stamp.dump.tmp" "$dest/db-$stamp.dump"
    ;;
  sqlite:///*)
    python3 - "${url#sqlite:///}" "$dest/db-$stamp.sqlite3.tmp" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)  # consistent while the bot writes
PY
    mv "$dest/db-$stamp.sqlite3.tmp" "$dest/db-$stamp.sqlite3"
    ;;
  *) echo "backup.sh: unknown PORADNYK_DATABASE_URL scheme" >&2; exit 1 ;;
esac

tar -czf "$dest/content-$stamp.tar.gz.tmp" -C "$(dirname "$content")" "$(basename "$content")"
mv "$dest/content-$stamp.tar.gz.tmp" "$dest/content-$stamp.tar.gz"
secrets=()
for name in sender_salt console_secret_key rasa_api_token; do
  [ -f "$data/$name" ] && secrets+=("$name")
done
if [ ${#secrets[@]} -gt 0 ]; then
  tar -czf "$dest/secrets-$stamp.tar.gz" -C "$data" "${secrets[@]}"
fi

find "$dest" -maxdepth 1 -type f \( -name 'db-*' -o -name 'content-*' -o -name 'secrets-*' \) \
  -mtime "+$keep" -delete
echo "backup.sh: $dest/*-$stamp.*"
