"""The few exception types clashmap raises; each message names the fix."""


class ClashmapError(Exception):
    """Base class: a problem with input the user can correct."""


class DocumentError(ClashmapError):
    """An article file cannot be read as text (empty, binary, too large, ...)."""


class MetadataError(ClashmapError):
    """An article's sidecar `.meta.json` is malformed."""


class GazetteerError(ClashmapError):
    """A gazetteer file or row is malformed; the message names file, row and problem."""


class LexiconError(ClashmapError):
    """The trigger/cue lexicon is malformed."""


class GoldError(ClashmapError):
    """A gold annotation file does not follow the expected format."""


class AcledError(ClashmapError):
    """An ACLED file that cannot be read at all (not CSV, missing columns)."""


class WorkerError(ClashmapError):
    """The worker process failed on a job (a bug or a lack of memory), or could not start."""


class GeocodeError(ClashmapError):
    """The geocoding service could not be reached or refused the request."""


class StoreError(ClashmapError):
    """The store cannot be opened, upgraded or written; the message names the file and the fix."""


class DuplicateArticleError(ClashmapError):
    """The same text is already in the store (same SHA-256 of the text)."""

    def __init__(self, doc_id: str, title: str | None):
        self.doc_id = doc_id
        name = f"{title!r} ({doc_id})" if title else doc_id
        super().__init__(f"this text is already in the store as {name}; nothing was added")


class ExtractionTimeout(ClashmapError):
    """A job ran past its time budget; its process was stopped and nothing was kept."""

    def __init__(self, budget: float):
        self.budget = budget
        super().__init__(
            f"finding places and events took longer than the {budget:g} s allowed, so it was stopped "
            "and nothing was stored; split the text into shorter articles (a few pages each) and add them "
            "one by one"
        )


class BenchError(ClashmapError):
    """A benchmark could not run (no app.py, no chromium, a store not empty, a page that never drew)."""
