"""clashmap: reported armed clashes mapped from news text.

The package by layer, data flowing one way (``tests/test_layers.py`` checks it):

- :mod:`geo.models`: the records every layer shares (articles, places, mentions, events);
- :mod:`geo.extract`: text to mention records (documents, gazetteer, match, references,
  events, dates, composed in :mod:`geo.extract.pipeline`, run over files by :mod:`geo.extract.batch`);
- :mod:`geo.export`: the one event merger and the GeoJSON and CSV writers;
- :mod:`geo.store`: the SQLite store and what goes in and out of it;
- :mod:`geo.app`: filters, the folium map and coordinate look-up behind ``app.py``;
- :mod:`geo.tools`: the command line, evaluation and benchmarks.
"""

__version__ = "0.2.0"
