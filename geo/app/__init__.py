"""What the Streamlit page (``app.py``) needs beyond the store: filters and views over the
stored records (:mod:`~geo.app.filters`), the folium map (:mod:`~geo.app.mapview`) and
coordinate suggestions for the readers' gazetteer (:mod:`~geo.app.geocode`), Markdown
escaping of reader and article text (:mod:`~geo.app.text`) and the extraction process
with its time budget (:mod:`~geo.app.worker`)."""
