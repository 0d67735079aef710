"""Tools over the library: the command line (:mod:`~geo.tools.cli`), scoring against gold
annotations (:mod:`~geo.tools.evaluate`), the benchmarks (:mod:`~geo.tools.bench`,
:mod:`~geo.tools.appbench`, :mod:`~geo.tools.browserbench`) and a throwaway PostGIS server
(:mod:`~geo.tools.pgserver`). Nothing in the library imports them."""
