#!/bin/sh
# Restore a hallrate dump into a NEW database, never over the live one:
#   hallrate-restore.sh /var/backups/hallrate/hallrate-20261202T023000Z.dump hallrate_restored
# then point HALLRATE_DATABASE_URL at it (or rename it in place of the old one while the
# server is stopped) and restart the server. `hallrate-server init` afterwards migrates a
# dump taken by an older version.
#
# Connection: the libpq variables (PGHOST, PGPORT, PGUSER) of a role allowed to create
# databases. OWNER makes the restored database belong to the server's role.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 DUMP NEW_DATABASE [OWNER]" >&2
    exit 2
fi
dump=$1
target=$2
owner=${3:-}

pg_restore --list "$dump" > /dev/null
if [ -n "$owner" ]; then
    createdb --owner="$owner" --template=template0 --encoding=UTF8 "$target"
else
    createdb --template=template0 --encoding=UTF8 "$target"
fi
# One transaction: a restore that fails half way leaves an empty database, not half a one.
if [ -n "$owner" ]; then
    pg_restore --dbname="$target" --no-owner --role="$owner" --single-transaction --exit-on-error "$dump"
else
    pg_restore --dbname="$target" --no-owner --single-transaction --exit-on-error "$dump"
fi
ratings=$(psql --dbname="$target" --tuples-only --no-align --command="SELECT count(*) FROM ratings")
echo "hallrate-restore: $dump restored into $target: $ratings ratings"
