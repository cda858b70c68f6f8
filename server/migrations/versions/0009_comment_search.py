"""full-text search of ratings' comments that works for Chinese: an FTS5 trigram index on
SQLite (kept by triggers), pg_trgm's GIN index on PostgreSQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""

from typing import Sequence, Union

from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_ratings_comment_trgm ON ratings "
            "USING gin (comment gin_trgm_ops) WHERE comment <> ''"
        )
        return
    # Its own content (not external content over ratings' rowid, which VACUUM may renumber
    # since ratings has a text primary key); only ratings with a comment are indexed.
    op.execute(
        "CREATE VIRTUAL TABLE ratings_fts USING fts5("
        "rating_id UNINDEXED, comment, tokenize='trigram')"
    )
    op.execute(
        "INSERT INTO ratings_fts (rating_id, comment) "
        "SELECT id, comment FROM ratings WHERE comment <> ''"
    )
    op.execute(
        "CREATE TRIGGER ratings_fts_insert AFTER INSERT ON ratings WHEN new.comment <> '' "
        "BEGIN INSERT INTO ratings_fts (rating_id, comment) VALUES (new.id, new.comment); END"
    )
    op.execute(
        "CREATE TRIGGER ratings_fts_delete AFTER DELETE ON ratings WHEN old.comment <> '' "
        "BEGIN DELETE FROM ratings_fts WHERE rating_id = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER ratings_fts_update AFTER UPDATE OF comment ON ratings "
        "BEGIN DELETE FROM ratings_fts WHERE rating_id = old.id; "
        "INSERT INTO ratings_fts (rating_id, comment) "
        "SELECT new.id, new.comment WHERE new.comment <> ''; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ratings_comment_trgm")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS ratings_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS ratings_fts")
