"""Extraction: news text to mention records, stage by stage.

:mod:`~geo.extract.documents` (articles and sidecars) → :mod:`~geo.extract.match`
(place names, with :mod:`~geo.extract.gazetteer` and :mod:`~geo.extract.text`) →
:mod:`~geo.extract.events` (event or reference, with :mod:`~geo.extract.references`,
:mod:`~geo.extract.lexicon` and :mod:`~geo.extract.dates`) → :mod:`~geo.extract.records`;
composed in :mod:`~geo.extract.pipeline`, run over many files by :mod:`~geo.extract.batch`.
Pure Python over plain data: no data frames, maps or web code here.
"""
