"""Tools over the library: the command line (:mod:`~geo.tools.cli`), scoring against gold
annotations (:mod:`~geo.tools.evaluate`) and the benchmarks (:mod:`~geo.tools.bench`,
:mod:`~geo.tools.appbench`). Nothing in the library imports them."""
