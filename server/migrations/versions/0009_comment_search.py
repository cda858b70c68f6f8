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
    # The index's content is a companion table with an integer key (ratings has a text
    # key, and VACUUM may renumber its rowids), kept from ratings by triggers; only ratings
    # with a comment have a row. Every trigger finds its row by an indexed key.
    op.execute(
        'CREATE TABLE rating_comments ('
        'id INTEGER PRIMARY KEY, rating_id VARCHAR(36) NOT NULL UNIQUE, comment TEXT NOT NULL)'
    )
    op.execute(
        "CREATE VIRTUAL TABLE ratings_fts USING fts5("
        "comment, content='rating_comments', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER rating_comments_insert AFTER INSERT ON rating_comments "
        "BEGIN INSERT INTO ratings_fts (rowid, comment) VALUES (new.id, new.comment); END"
    )
    op.execute(
        "CREATE TRIGGER rating_comments_delete AFTER DELETE ON rating_comments "
        "BEGIN INSERT INTO ratings_fts (ratings_fts, rowid, comment) "
        "VALUES ('delete', old.id, old.comment); END"
    )
    op.execute(
        "INSERT INTO rating_comments (rating_id, comment) "
        "SELECT id, comment FROM ratings WHERE comment <> ''"
    )
    op.execute(
        "CREATE TRIGGER ratings_comment_insert AFTER INSERT ON ratings WHEN new.comment <> '' "
        "BEGIN INSERT INTO rating_comments (rating_id, comment) VALUES (new.id, new.comment); END"
    )
    op.execute(
        "CREATE TRIGGER ratings_comment_delete AFTER DELETE ON ratings WHEN old.comment <> '' "
        "BEGIN DELETE FROM rating_comments WHERE rating_id = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER ratings_comment_update AFTER UPDATE OF comment ON ratings "
        "BEGIN DELETE FROM rating_comments WHERE rating_id = old.id; "
        "INSERT INTO rating_comments (rating_id, comment) "
        "SELECT new.id, new.comment WHERE new.comment <> ''; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ratings_comment_trgm")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS ratings_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS ratings_fts")
