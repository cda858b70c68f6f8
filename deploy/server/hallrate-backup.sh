#!/bin/sh
# Back up the hallrate database with pg_dump (custom format: compressed, restorable table by
# table), keep the last KEEP_DAYS days of dumps. Run by hallrate-backup.timer; by hand:
#   sudo -u postgres /opt/hallrate/deploy/server/hallrate-backup.sh
#
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE; PGPASSWORD or
# ~/.pgpass), default the local database `hallrate`. A dump is written under a temporary
# name, checked with pg_restore --list, and only then given its final name, so a dump that
# exists is a whole one.
set -eu
BACKUP_DIR=${BACKUP_DIR:-/var/backups/hallrate}
KEEP_DAYS=${KEEP_DAYS:-14}
PGDATABASE=${PGDATABASE:-hallrate}
export PGDATABASE

mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/$PGDATABASE-$stamp.dump"
partial="$final.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --file="$partial"
# A dump pg_restore cannot read is no backup.
pg_restore --list "$partial" > /dev/null
mv "$partial" "$final"
echo "hallrate-backup: wrote $final ($(wc -c < "$final") bytes)"

# Old dumps go only after a new one exists.
find "$BACKUP_DIR" -maxdepth 1 -name "$PGDATABASE-*.dump" -mtime "+$KEEP_DAYS" -print -delete
