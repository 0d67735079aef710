"""The output side: one event merger and one writer per format, all over records.

:mod:`geo.export.merge` groups :class:`~geo.models.MentionRecord` s into
:class:`~geo.models.EventRecord` s; :mod:`geo.export.geojson` and
:mod:`geo.export.csv` write either kind. The CLI, the store's readers and the
app all go through these, so a property has one name and one value everywhere.
"""
