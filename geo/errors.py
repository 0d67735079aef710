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
