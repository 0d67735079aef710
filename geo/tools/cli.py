"""Command line: ``clashmap extract|evaluate|bench`` (also ``python -m geo ...``).

A thin layer over the library: it parses arguments, streams files through
:func:`geo.extract.batch.extract_files`, writes what the writers of
:mod:`geo.export` make, and reports problems on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from ..errors import ClashmapError
from ..export.csv import CSVWriter
from ..export.geojson import GeoJSONWriter, encoded_features
from ..export.merge import EventMerger
from ..extract.batch import count_files, extract_files, records
from ..extract.documents import DEFAULT_MAX_BYTES, latest_published, load_article, parse_date, shown
from ..extract.pipeline import extract_article, load_resources
from .bench import run_bench
from .evaluate import Prediction, load_gold, score


class Progress:
    """Progress on stderr every few seconds, for large inputs."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet = total, quiet
        self.done = self.words = 0
        self.start = self.last = time.perf_counter()

    def step(self, words: int) -> None:
        self.done += 1
        self.words += words
        now = time.perf_counter()
        if not self.quiet and now - self.last >= 2.0:
            self.last = now
            rate = self.words / (now - self.start)
            print(f"  {self.done}/{self.total} articles, {rate:,.0f} words/s", file=sys.stderr)

    def summary(self) -> str:
        elapsed = time.perf_counter() - self.start
        rate = self.words / elapsed if elapsed else 0.0
        return f"{self.done} articles, {self.words:,} words in {elapsed:.1f} s ({rate:,.0f} words/s)"


#: Exit statuses of ``extract``, as its help states them.
EXIT_OK, EXIT_REFUSED, EXIT_NOTHING = 0, 1, 2

EXTRACT_EPILOG = """\
exit status:
  0  every input file was read
  1  some files were refused (each named on stderr with the reason); the output holds all the others
  2  nothing was read: a usage error (bad option, output that cannot be written, bad gazetteer),
     no input file at all, or every file refused

Each file is handled alone: a file that cannot be read (empty, binary, too large, not a regular file,
a broken sidecar) is refused with a message and the run goes on. A publication date outside
1900-01-01 .. tomorrow is refused with a warning and the article is read without it.
Put -- before file names that begin with a dash: clashmap extract -o out.geojson -- -draft.txt
"""


def _parquet(folder: str):
    # geopandas is imported only when GeoParquet is asked for: the other formats start faster without it.
    from ..export.parquet import GeoParquetWriter

    return GeoParquetWriter(folder)


@contextmanager
def _engine(args: argparse.Namespace, per_article, total: int, latest: date):
    """The results of extraction, from this machine's processes or from a Dask cluster."""
    options = {
        "gazetteer": args.gazetteer,
        "published": args.published,
        "max_bytes": args.max_bytes,
        "per_article": per_article,
        "latest": latest,
    }
    if args.engine == "local":
        yield extract_files(args.paths, jobs=args.jobs, files=total, **options)
        return
    from ..extract.cluster import dask_client, extract_on_dask

    with dask_client(args.scheduler, args.jobs, dashboard=not args.quiet) as client:
        if not args.quiet:
            link = getattr(client, "dashboard_link", None) if (args.scheduler or client.cluster) else None
            where = args.scheduler or f"a local cluster of {args.jobs} worker processes"
            print(f"extracting on Dask: {where}" + (f"; dashboard {link}" if link else ""), file=sys.stderr)
        yield extract_on_dask(args.paths, client, **options)


def cmd_extract(args: argparse.Namespace) -> int:
    latest = latest_published(date.today())  # the one place extraction reads the clock
    if args.published:
        try:
            parse_date(args.published, "--published", latest)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_NOTHING
    events = args.level == "events"
    fmt = args.format or ("parquet" if args.output.rstrip("/").endswith(".parquet") else "geojson")
    if fmt == "parquet" and args.output == "-":
        print("error: GeoParquet is written to a folder: give -o OUT.parquet", file=sys.stderr)
        return EXIT_NOTHING
    as_text = fmt == "geojson" and not events
    total = count_files(args.paths)
    progress = Progress(total, args.quiet)
    failures = unresolved = mentions = 0
    # Ids already written: a JSON line's "id", or a file in another folder given separately, may repeat one,
    # and two articles sharing an id would share their mention ids.
    seen_ids: set[str] = set()
    try:
        out = (
            sys.stdout
            if args.output == "-" or fmt == "parquet"
            else open(args.output, "w", encoding="utf-8", newline="")
        )
    except OSError as exc:
        print(f"error: cannot write {shown(args.output)} ({exc.strerror}); choose another output file", file=sys.stderr)
        return EXIT_NOTHING
    # Events are merged out of core (a temporary SQLite file beside the output), not in memory.
    merger = EventMerger(folder=None if args.output == "-" else str(Path(args.output).resolve().parent))
    try:
        writer = _parquet(args.output) if fmt == "parquet" else (CSVWriter if fmt == "csv" else GeoJSONWriter)(out)
        with writer, _engine(args, encoded_features if as_text else records, total, latest) as results:
            for done in results:
                progress.step(done.words)
                if done.failure or done.doc_id in seen_ids:
                    failures += 1
                    print(f"error: {done.failure or repeated_id(done.doc_id)}", file=sys.stderr)
                    continue
                seen_ids.add(done.doc_id)
                for w in done.warnings:
                    if "unresolved place name" in w:
                        unresolved += 1
                    if not args.quiet:
                        print(f"warning: {w}", file=sys.stderr)
                mentions += len(done.output)
                if events:
                    merger.add(done.output)
                elif as_text:
                    for text in done.output:
                        writer.write_json(text)
                else:
                    for record in done.output:
                        writer.write(record)
            if events:
                for ev in merger.events():
                    writer.write(ev)
        out.flush()  # here, so a full disk is reported below rather than raised by close()
    except ClashmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    except OSError as exc:
        print(f"error: {write_failed(args.output, exc)}", file=sys.stderr)
        if isinstance(exc, BrokenPipeError) and out is sys.stdout:
            # The reader of the pipe has gone (| head): nothing more can reach it, not even at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_NOTHING
    finally:
        merger.close()
        if out is not sys.stdout:
            with contextlib.suppress(OSError):  # a failed write was reported above
                out.close()
    if progress.done == 0:
        print(f"error: {nothing_found(args.paths)}", file=sys.stderr)
    print(
        f"{progress.summary()}; {mentions} mentions ({unresolved} unresolved), "
        f"{writer.count} {'events' if events else 'features'} written to {shown(args.output)}"
        + (f"; {failures} file(s) refused (named above)" if failures else ""),
        file=sys.stderr,
    )
    return exit_status(progress.done, failures)


def write_failed(output: str, exc: OSError) -> str:
    """What to say when the output cannot be written to the end (a full disk, a closed pipe)."""
    where = "standard output" if output == "-" else shown(output)
    if isinstance(exc, BrokenPipeError):
        return f"{where} was closed by the program reading it; what was written is incomplete"
    return (
        f"cannot write {where} ({exc.strerror or exc}); what was written is incomplete: "
        "free some space or choose another output, then run again"
    )


def repeated_id(doc_id: str) -> str:
    """Why a second article with an id already written is left out."""
    return (
        f"document id {doc_id!r} was already given to an earlier article, and their mention ids would clash; "
        'this one is left out: rename its file, or give its JSON line another "id"'
    )


def nothing_found(paths: list[str]) -> str:
    """Why an extraction found no input at all (folders without a .txt or .jsonl file)."""
    names = ", ".join(shown(p) for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"no .txt or .jsonl file in {names}; give article files or the folders that hold them"


def exit_status(files: int, refused: int) -> int:
    """0 when every file was read, 1 when some were refused, 2 when none was read."""
    if refused == 0 and files:
        return EXIT_OK
    return EXIT_REFUSED if refused < files else EXIT_NOTHING


def cmd_load(args: argparse.Namespace) -> int:
    from .. import store
    from ..export.parquet import read_mention_records
    from ..store.bulk import load_records

    start = time.perf_counter()
    try:
        conn = store.connect(args.db or store.db_path())
        try:
            n = load_records(conn, read_mention_records(args.parquet))
        finally:
            conn.close()
    except (ClashmapError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    secs = time.perf_counter() - start
    print(f"loaded {n:,} mentions in {secs:.1f} s ({n / secs if secs else 0:,.0f} rows/s)", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:

    try:
        documents, gold = load_gold(args.gold)
    except ClashmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    preds: list[Prediction] = []
    geojson = [p for p in args.paths if p.endswith((".geojson", ".json"))]
    if geojson:
        for p in geojson:
            try:
                preds.extend(geojson_predictions(p))
            except ClashmapError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
    else:
        folders = [Path(p) for p in args.paths] or [Path(args.gold).parent, Path("seeds")]
        res = load_resources(args.gazetteer)
        for doc_id, meta in documents.items():
            path = next((f / f"{doc_id}.txt" for f in folders if (f / f"{doc_id}.txt").exists()), None)
            if path is None:
                print(f"error: no text for {doc_id} in {', '.join(map(str, folders))}", file=sys.stderr)
                return 2
            try:
                article = load_article(path, published=meta.get("published"))
            except ClashmapError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            preds.extend(Prediction.from_mention(m) for m in extract_article(article, res).mentions)
    report = score(gold, preds)
    if args.json:
        print(json.dumps({"scores": report.scores, "counts": report.counts, "errors": report.errors}, indent=2))
    else:
        print(report.format(show_errors=not args.no_errors))
    return 0


def geojson_predictions(path: str) -> list[Prediction]:
    """The predictions of a GeoJSON written by ``clashmap extract``; anything else is refused with the fix."""
    fix = "give a GeoJSON written by `clashmap extract` (mention level), or the folders of the texts"
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ClashmapError(f"{shown(path)}: cannot read ({exc.strerror}); {fix}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ClashmapError(f"{shown(path)}: not valid JSON ({exc}); {fix}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ClashmapError(f"{shown(path)}: not a GeoJSON FeatureCollection; {fix}")
    preds = []
    for i, feature in enumerate(features):
        try:
            preds.append(Prediction.from_feature(feature))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ClashmapError(
                f"{shown(path)}: feature {i} is not a mention (doc_id, start, end: {type(exc).__name__} {exc}); {fix}"
            ) from None
    return preds


def cmd_bench(args: argparse.Namespace) -> int:
    return run_bench(args.articles, args.jobs, args.keep, args.engine)


def positive_int(value: str) -> int:
    """An argparse type: a whole number above zero (else a usage error, exit status 2)."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number above zero")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clashmap", description="clashmap: armed clashes from news text")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser(
        "extract",
        help="extract place mentions and events to GeoJSON, CSV or GeoParquet",
        epilog=EXTRACT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument(
        "paths",
        nargs="+",
        help=".txt articles or folders of them (with .meta.json sidecars), or .jsonl files of articles",
    )
    ex.add_argument("-o", "--output", default="-", help="output file (default: stdout); a .parquet path is a folder")
    ex.add_argument(
        "--format",
        choices=("geojson", "csv", "parquet"),
        help="default: parquet for an output ending in .parquet, else geojson",
    )
    ex.add_argument(
        "--level",
        choices=("mentions", "events"),
        default="mentions",
        help="one feature per mention, or events merged across documents",
    )
    ex.add_argument("--published", help="publication date YYYY-MM-DD for files without a sidecar date")
    ex.add_argument("--gazetteer", action="append", help="gazetteer CSV or folder (repeatable; default: curated)")
    ex.add_argument("--max-bytes", type=positive_int, default=DEFAULT_MAX_BYTES, help="largest article accepted")
    ex.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, help="worker processes for large inputs")
    ex.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: this machine's processes; dask: a Dask cluster (a local one of --jobs workers by default)",
    )
    ex.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786), with --engine dask")
    ex.add_argument("-q", "--quiet", action="store_true", help="no per-article warnings or progress")
    ex.set_defaults(func=cmd_extract)

    lo = sub.add_parser("load", help="load a GeoParquet extraction into the store (PostGIS: COPY)")
    lo.add_argument("parquet", help="the folder `clashmap extract -o OUT.parquet` wrote")
    lo.add_argument("--db", help="the store: a SQLite file or postgresql://... (default: $CLASHMAP_DB)")
    lo.set_defaults(func=cmd_load)

    ev = sub.add_parser("evaluate", help="score extraction against a gold file")
    ev.add_argument("gold", help="gold JSON (format of tests/data/seeds.gold.json)")
    ev.add_argument("paths", nargs="*", help="folders with the texts, or a GeoJSON made by extract")
    ev.add_argument("--gazetteer", action="append")
    ev.add_argument("--json", action="store_true", help="machine-readable output")
    ev.add_argument("--no-errors", action="store_true", help="scores only")
    ev.set_defaults(func=cmd_evaluate)

    be = sub.add_parser("bench", help="measure extraction throughput on a generated corpus")
    be.add_argument("--articles", type=positive_int, default=10_000)
    be.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1)
    be.add_argument("--keep", help="folder to keep the generated corpus in (default: a temporary one)")
    be.add_argument("--engine", choices=("local", "dask"), default="local", help="as for extract")
    be.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def main_exit() -> None:
    """The ``clashmap`` console script."""
    sys.exit(main())
