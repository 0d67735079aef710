from geo.tools.bench import generate_corpus, run_bench


def test_generated_corpus_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert generate_corpus(a, 5) == generate_corpus(b, 5)
    assert (a / "bench_000003.txt").read_text() == (b / "bench_000003.txt").read_text()
    assert (a / "bench_000003.meta.json").exists()


def test_bench_runs_and_reports(capsys):
    assert run_bench(40, 1) == 0
    out = capsys.readouterr().out
    assert "words/s" in out and "peak memory" in out


def test_bench_on_dask_reports_the_same_features(capsys):
    assert run_bench(40, 1) == 0
    local = [line.split()[2] for line in capsys.readouterr().out.splitlines() if line.strip()[:1].isdigit()]
    assert run_bench(40, 2, engine="dask") == 0
    out = capsys.readouterr().out
    assert "Dask worker" in out
    on_dask = [line.split()[2] for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert on_dask == local and len(local) == 2
