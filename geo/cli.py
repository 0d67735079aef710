"""Command line: ``python -m geo extract|evaluate|bench``.

A thin layer over the library: it parses arguments, streams articles
through :func:`geo.pipeline.extract_article` (in parallel for many files),
writes what the exporters make, and reports problems on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .documents import DEFAULT_MAX_BYTES, parse_date
from .errors import ClashmapError
from .export import (
    CSVWriter,
    EventMerger,
    GeoJSONWriter,
    event_feature,
    mention_feature,
)
from .models import Article, Mention
from .pipeline import Failure, Resources, extract_article, load_resources, read_article, unique_paths

#: Below this many files extraction runs in one process (starting workers costs more).
PARALLEL_MIN_FILES = 64


@dataclass
class Processed:
    """One article's output, small enough to pass between processes."""

    doc_id: str
    words: int
    features: list  # GeoJSON features, already serialised to JSON text when `serialised`
    warnings: list[str]
    article: Article | None = None  # without its text; kept for --level events
    mentions: tuple[Mention, ...] = ()
    failure: str | None = None


_WORKER: dict = {}


def _init_worker(gazetteer: list[str] | None) -> None:
    _WORKER["res"] = load_resources(gazetteer)


def _process(
    path: Path | Failure, res: Resources, keep_mentions: bool, serialise: bool, published, max_bytes
) -> Processed:
    item = read_article(path, published, max_bytes)
    if isinstance(item, Failure):
        return Processed(Path(item.path).stem, 0, [], [], failure=item.message)
    result = extract_article(item, res)
    gaz = res.gazetteer
    features = [] if keep_mentions else [mention_feature(m, item, gaz) for m in result.mentions]
    if serialise:
        # Workers do the JSON encoding so the writing process only copies text.
        features = [json.dumps(f, ensure_ascii=False) for f in features]
    light = replace(item, text="")
    return Processed(
        item.doc_id,
        len(item.text.split()),
        features,
        list(result.warnings),
        light if keep_mentions else None,
        result.mentions if keep_mentions else (),
    )


def _process_in_worker(args: tuple) -> Processed:
    return _process(args[0], _WORKER["res"], *args[1:])


def process_all(
    paths: list[str],
    gazetteer: list[str] | None,
    published: str | None,
    max_bytes: int,
    jobs: int,
    keep_mentions: bool,
    serialise: bool = False,
    files: int | None = None,
) -> Iterator[Processed]:
    """Extract from every file, in input order, using `jobs` processes for large inputs.

    With `serialise`, features come back as JSON text (for GeoJSON output);
    `files` is the number of input files when the caller has counted them.
    """
    items = unique_paths(paths)
    files = _count_files(paths) if files is None else files
    if jobs <= 1 or files < PARALLEL_MIN_FILES:
        res = load_resources(gazetteer)
        for item in items:
            yield _process(item, res, keep_mentions, serialise, published, max_bytes)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    # Workers get file paths and read the articles themselves: the corpus is never held.
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(gazetteer,)) as pool:
        work = ((i, keep_mentions, serialise, published, max_bytes) for i in items)
        yield from pool.imap(_process_in_worker, work, chunksize=16)


def _count_files(paths: list[str]) -> int:
    n = 0
    for p in paths:
        path = Path(p)
        if path.is_dir():
            n += sum(1 for _ in path.rglob("*.txt"))
        else:
            n += 1
    return n


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


def cmd_extract(args: argparse.Namespace) -> int:
    if args.published:
        try:
            parse_date(args.published, "--published")
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    events = args.level == "events"
    total = _count_files(args.paths)
    progress = Progress(total, args.quiet)
    failures = unresolved = mentions = 0
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")
    merger = EventMerger()
    gaz = None
    try:
        writer = (CSVWriter if args.format == "csv" else GeoJSONWriter)(out)
        with writer:
            serialise = args.format == "geojson"
            for done in process_all(
                args.paths, args.gazetteer, args.published, args.max_bytes, args.jobs, events, serialise, total
            ):
                progress.step(done.words)
                if done.failure:
                    failures += 1
                    print(f"error: {done.failure}", file=sys.stderr)
                    continue
                for w in done.warnings:
                    if "unresolved place name" in w:
                        unresolved += 1
                    if not args.quiet:
                        print(f"warning: {w}", file=sys.stderr)
                if events:
                    merger.add(done.mentions, done.article)
                    mentions += len(done.mentions)
                else:
                    mentions += len(done.features)
                    for feat in done.features:
                        writer.write_json(feat) if serialise else writer.write(feat)
            if events:
                gaz = load_resources(args.gazetteer).gazetteer
                for ev in merger.events():
                    writer.write(event_feature(ev, gaz))
    except ClashmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if out is not sys.stdout:
            out.close()
    print(
        f"{progress.summary()}; {mentions} mentions ({unresolved} unresolved), "
        f"{writer.count} {'events' if events else 'features'} written to {args.output}"
        + (f"; {failures} file(s) failed" if failures else ""),
        file=sys.stderr,
    )
    return 1 if failures and failures == progress.done else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .documents import load_article
    from .evaluate import Prediction, load_gold, score

    try:
        documents, gold = load_gold(args.gold)
    except ClashmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    preds: list[Prediction] = []
    geojson = [p for p in args.paths if p.endswith((".geojson", ".json"))]
    if geojson:
        for p in geojson:
            data = json.loads(Path(p).read_text(encoding="utf-8"))
            preds.extend(Prediction.from_feature(f) for f in data.get("features", []))
    else:
        folders = [Path(p) for p in args.paths] or [Path(args.gold).parent, Path("seeds")]
        res = load_resources(args.gazetteer)
        for doc_id, meta in documents.items():
            path = next((f / f"{doc_id}.txt" for f in folders if (f / f"{doc_id}.txt").exists()), None)
            if path is None:
                print(f"error: no text for {doc_id} in {', '.join(map(str, folders))}", file=sys.stderr)
                return 2
            article = load_article(path, published=meta.get("published"))
            preds.extend(Prediction.from_mention(m) for m in extract_article(article, res).mentions)
    report = score(gold, preds)
    if args.json:
        print(json.dumps({"scores": report.scores, "counts": report.counts, "errors": report.errors}, indent=2))
    else:
        print(report.format(show_errors=not args.no_errors))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    return run_bench(args.articles, args.jobs, args.keep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="clashmap: armed clashes from news text")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="extract place mentions and events to GeoJSON or CSV")
    ex.add_argument("paths", nargs="+", help=".txt articles or folders of them (with .meta.json sidecars)")
    ex.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    ex.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    ex.add_argument(
        "--level",
        choices=("mentions", "events"),
        default="mentions",
        help="one feature per mention, or events merged across documents",
    )
    ex.add_argument("--published", help="publication date YYYY-MM-DD for files without a sidecar date")
    ex.add_argument("--gazetteer", action="append", help="gazetteer CSV or folder (repeatable; default: curated)")
    ex.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest article accepted")
    ex.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for large inputs")
    ex.add_argument("-q", "--quiet", action="store_true", help="no per-article warnings or progress")
    ex.set_defaults(func=cmd_extract)

    ev = sub.add_parser("evaluate", help="score extraction against a gold file")
    ev.add_argument("gold", help="gold JSON (format of tests/data/seeds.gold.json)")
    ev.add_argument("paths", nargs="*", help="folders with the texts, or a GeoJSON made by extract")
    ev.add_argument("--gazetteer", action="append")
    ev.add_argument("--json", action="store_true", help="machine-readable output")
    ev.add_argument("--no-errors", action="store_true", help="scores only")
    ev.set_defaults(func=cmd_evaluate)

    be = sub.add_parser("bench", help="measure extraction throughput on a generated corpus")
    be.add_argument("--articles", type=int, default=10_000)
    be.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    be.add_argument("--keep", help="folder to keep the generated corpus in (default: a temporary one)")
    be.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
