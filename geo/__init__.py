"""clashmap: reported armed clashes mapped from news text.

The pipeline, stage by stage: :mod:`geo.documents` (articles),
:mod:`geo.gazetteer` (places), :mod:`geo.match` (place mentions),
:mod:`geo.events` and :mod:`geo.dates` (event types and dates),
:mod:`geo.export` (GeoJSON, CSV), composed in :mod:`geo.pipeline`.
"""

__version__ = "0.1.0"
