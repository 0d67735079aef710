"""The embedded store: articles, their mention records and the readers' gazetteer.

:mod:`geo.store.schema` owns the SQLite file (schema version, upgrades),
:mod:`geo.store.articles` what goes in and out, :mod:`geo.store.user_gazetteer`
the places readers add. The names below are the store's interface.
"""

from .articles import (
    SEEDS_DIR,
    DuplicateArticleError,
    add_results,
    articles_frame,
    decode_upload,
    delete_article,
    get_article,
    ingest_bytes,
    ingest_text,
    mention_records,
    mentions_frame,
    open_store,
    reextract,
    refuse_stored,
    seed,
    text_hash,
    unresolved_frame,
    upload_article,
    upload_text,
)
from .schema import SCHEMA_VERSION, StoreError, connect, db_path, revision, version
from .user_gazetteer import (
    add_user_place,
    delete_user_row,
    load_user_gazetteer,
    read_user_rows,
    replace_user_row,
    slug,
    user_gazetteer_path,
)

__all__ = [
    "SCHEMA_VERSION",
    "SEEDS_DIR",
    "DuplicateArticleError",
    "StoreError",
    "add_results",
    "add_user_place",
    "articles_frame",
    "connect",
    "decode_upload",
    "db_path",
    "delete_article",
    "delete_user_row",
    "get_article",
    "ingest_bytes",
    "ingest_text",
    "load_user_gazetteer",
    "mention_records",
    "mentions_frame",
    "open_store",
    "read_user_rows",
    "reextract",
    "refuse_stored",
    "replace_user_row",
    "revision",
    "seed",
    "slug",
    "text_hash",
    "unresolved_frame",
    "upload_article",
    "upload_text",
    "user_gazetteer_path",
    "version",
]
