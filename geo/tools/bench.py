"""Throughput benchmark: ``clashmap bench`` (or ``python -m geo bench``).

Generates a corpus of synthetic wire reports (sentences written from the
templates below, with places drawn from the gazetteer), then runs the same
code path as ``python -m geo extract`` over it and prints words per second,
articles per second and peak memory, at a quarter of the corpus and at the
whole, so that linearity can be read off.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from ..export.geojson import GeoJSONWriter, encoded_features
from ..extract.batch import extract_files
from ..extract.gazetteer import load_gazetteer

TEMPLATES = (
    "Fierce clashes erupted in {a} and {b} on {day}, activists said.",
    "Government forces shelled {a} with mortars and tank fire, according to the Syrian Observatory for Human Rights.",
    "An activist in {a} said troops had stormed the neighbourhood before dawn and arrested dozens of young men.",
    "Residents fleeing {a} sought shelter in {b}, where schools have been turned into shelters.",
    "Electricity and water in {a} were cut off {rel}, the Local Coordination Committees said.",
    "A car bomb exploded near a checkpoint in {a} {rel}, killing at least five people, state television said.",
    "Helicopter gunships fired on rebel positions in {a}, a {a}-based activist told AFP by telephone.",
    "The army said it had regained control of {a} after days of fighting.",
    "Rebels of the Free Syrian Army said they had taken control of parts of {a}.",
    "The report could not be independently verified because of restrictions on journalists.",
    "Diplomats at the United Nations discussed the situation in Syria, with Russia and China opposed to sanctions.",
    "Thousands of people have crossed into Lebanon over the past week, the UN refugee agency said.",
    "Analysts said the fighting showed the regime was losing its grip on the capital.",
    "In {a}, witnesses said snipers were firing on anyone who ventured into the streets.",
    "Protesters marched through {a} after Friday prayers, chanting slogans against the regime.",
    "The bodies of 14 men were found in {a} two days ago, activists said.",
    "Troops backed by tanks deployed in {a} and {b} on {day} morning.",
    "Mr Assad has not appeared in public since the bombing, and his whereabouts remain unknown.",
    "The violence has killed more than 17,000 people since March 2011, according to activists.",
    "{a} residents said food and medicine were running short as the siege entered its second week.",
    "The opposition has repeatedly called for a no-fly zone, but western governments have so far refused.",
    "It was not possible to confirm the death toll, and the government did not respond to requests for comment.",
    "Many families said they had been without bread for three days, and prices had more than doubled.",
    "The uprising began with peaceful demonstrations calling for reform and has turned into an armed rebellion.",
    "Officials in the capital insisted that life was returning to normal and that shops were open.",
    "A spokesman for the rebels said their fighters were short of ammunition but would not give up.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The generated articles' file names: STEM and a six-digit number.
STEM = "bench_"
RELATIVE = ("yesterday", "on Sunday", "last night", "earlier this week", "two days ago", "this morning")


def generate_corpus(folder: Path, n: int, seed: int = 2012) -> int:
    """Write `n` synthetic articles (and sidecars) into `folder`; return the word count."""
    rng = random.Random(seed)
    gaz = load_gazetteer()
    names = sorted(p.name for p in gaz.places.values() if p.kind in ("neighbourhood", "camp", "town") and p.parent)
    words = 0
    base = date(2012, 7, 1)
    for i in range(n):
        sentences = []
        for _ in range(rng.randint(22, 40)):
            a, b = rng.sample(names, 2)
            sentences.append(rng.choice(TEMPLATES).format(a=a, b=b, day=rng.choice(DAYS), rel=rng.choice(RELATIVE)))
        paragraphs = [" ".join(sentences[j : j + 2]) for j in range(0, len(sentences), 2)]
        text = "\n\n".join(paragraphs) + "\n"
        words += len(text.split())
        stem = f"{STEM}{i:06d}"
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
        meta = {
            "title": f"Synthetic report {i}",
            "outlet": f"Bench wire {i % 7}",
            "url": None,
            "published": (base + timedelta(days=i % 60)).isoformat(),
        }
        (folder / f"{stem}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return words


def _peak_mb() -> tuple[float, float]:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return own, children


def _run(paths: list[str], jobs: int, out: Path, client=None) -> tuple[int, int, int, float]:
    articles = words = features = 0
    start = time.perf_counter()
    if client is None:
        results = extract_files(paths, max_bytes=5_000_000, jobs=jobs, per_article=encoded_features)
    else:
        from ..extract.cluster import extract_on_dask

        results = extract_on_dask(paths, client, max_bytes=5_000_000, per_article=encoded_features)
    with out.open("w", encoding="utf-8") as fh, GeoJSONWriter(fh) as writer:
        for done in results:
            articles += 1
            words += done.words
            for feat in done.output or ():
                writer.write_json(feat)
            features += len(done.output or ())
    return articles, words, features, time.perf_counter() - start


def run_bench(n: int = 10_000, jobs: int = 2, keep: str | None = None, engine: str = "local") -> int:
    """Generate the corpus, extract it twice (a quarter, then all) and print the figures.

    With ``engine="dask"`` extraction runs on a Dask LocalCluster of ``jobs`` worker
    processes (its start-up is not counted: a cluster is started once and kept).
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(keep) if keep else Path(tmp) / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        total_words = generate_corpus(folder, n)
        print(f"generated {n:,} articles, {total_words:,} words in {time.perf_counter() - t0:.1f} s ({folder})")
        quarter = Path(tmp) / "quarter"
        quarter.mkdir()
        # By name, not by listing the folder: the main process holds no list of the corpus.
        for i in range(max(1, n // 4)):
            for suffix in (".txt", ".meta.json"):
                (quarter / f"{STEM}{i:06d}{suffix}").symlink_to(folder / f"{STEM}{i:06d}{suffix}")
        unit = "Dask worker" if engine == "dask" else "process"
        plural = "" if jobs == 1 else ("es" if unit == "process" else "s")
        print(f"extract with {jobs} {unit}{plural}; the whole of `clashmap extract`: read, extract, write GeoJSON")
        print(f"{'articles':>9} {'words':>11} {'features':>9} {'seconds':>8} {'words/s':>10} {'articles/s':>10}")
        with ExitStack() as stack:
            client = None
            if engine == "dask":
                from ..extract.cluster import dask_client

                client = stack.enter_context(dask_client(workers=jobs))
                client.wait_for_workers(jobs)
            for label, paths in (("quarter", [str(quarter)]), ("all", [str(folder)])):
                articles, words, features, secs = _run(paths, jobs, Path(tmp) / f"{label}.geojson", client)
                print(
                    f"{articles:>9,} {words:>11,} {features:>9,} {secs:>8.1f} "
                    f"{words / secs:>10,.0f} {articles / secs:>10,.0f}"
                )
        own, children = _peak_mb()
        print(f"peak memory: {own:.0f} MB (main process), {children:.0f} MB (largest worker)")
    return 0
