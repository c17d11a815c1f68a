"""A class past one machine: `run CLASS --shard K/N` grades a stable share of it, and `merge` joins the
shards' results into the summary one batch of the whole class writes, refusing shards that do not add up."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from checks import batch, cli
from checks.errors import UsageError

from conftest import EXERCISES, ROOT

NAMES = [f"student-{number:02d}" for number in range(40)]


def test_a_bad_shard_is_a_usage_error(tmp_path, capsys):
    for value in ("0/3", "4/3", "x", "3", "1/0", "-1/3", "1/3/3", ""):
        with pytest.raises(UsageError):
            batch.parse_shard(value)
    assert batch.parse_shard("3/3") == batch.Shard(3, 3) and batch.parse_shard("1/1") == batch.Shard(1, 1)
    (tmp_path / "class" / "alice").mkdir(parents=True)
    assert cli.main(["run", str(tmp_path / "class"), "--jobs", "1", "--shard", "4/3", "--results", str(tmp_path / "r")]) == 2
    assert cli.main(["run", str(tmp_path / "class" / "alice"), "--shard", "1/3"]) == 2  # a shard of one submission
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and "4/3" in errors[0] and "--jobs" in errors[1]
    assert not (tmp_path / "r").exists()  # refused before anything was graded


def test_the_share_is_by_the_names_hash_disjoint_covering_and_stable_whatever_else_the_class_holds(tmp_path):
    paths = [tmp_path / name for name in NAMES]
    for count in (1, 2, 3, 5):
        shares = [batch.share(paths, batch.Shard(index, count)) for index in range(1, count + 1)]
        assert sorted(path for share in shares for path in share) == sorted(paths)  # covering, and disjoint
        for index, share in enumerate(shares):
            # sha256 of the folder's name, mod the count: the same on every runner and in every version
            assert [p.name for p in share] == [n for n in NAMES if int(hashlib.sha256(n.encode()).hexdigest()[:16], 16) % count == index]
            assert batch.share(paths[::2], batch.Shard(index + 1, count)) == [p for p in share if p in paths[::2]]
    assert all(0 < len(batch.share(paths, batch.Shard(index, 3))) < len(NAMES) for index in (1, 2, 3))  # spread


def shard_results(folder: Path, shard: batch.Shard, lines: list[batch.Graded]) -> Path:
    """A results folder as `run --shard` writes it, with these summary lines."""
    folder.mkdir(parents=True)
    batch.mark_shard(folder, shard, [line.submission for line in lines])
    batch.write_summary(lines, folder)
    return folder


def line(name: str, score: float = 3, code: int = 0) -> batch.Graded:
    return batch.Graded(name, score, 3, "passed" if code == 0 else "failed", 1.5, code)


def test_merge_joins_the_shards_in_the_order_one_batch_writes(tmp_path, capsys):
    one = shard_results(tmp_path / "one", batch.Shard(1, 3), [line("carol"), line("alice", 1, 1)])
    two = shard_results(tmp_path / "two", batch.Shard(2, 3), [])
    three = shard_results(tmp_path / "three", batch.Shard(3, 3), [line("bob")])
    assert cli.main(["merge", str(three), str(one), str(two), "--output", str(tmp_path / "all")]) == 1  # the worst run's code
    merged = json.loads((tmp_path / "all" / "summary.json").read_text())
    assert [(row["submission"], row["score"], row["exit_code"]) for row in merged] == [("alice", 1, 1), ("bob", 3, 0), ("carol", 3, 0)]
    assert (tmp_path / "all" / "summary.csv").read_text().splitlines()[0] == ",".join(batch.FIELDS)
    assert capsys.readouterr().out.splitlines()[1].startswith("alice,1,3,failed")


def test_merge_refuses_shards_that_do_not_add_up_in_one_line(tmp_path, capsys):
    one = shard_results(tmp_path / "one", batch.Shard(1, 2), [line("alice")])
    two = shard_results(tmp_path / "two", batch.Shard(2, 2), [line("bob")])
    again = shard_results(tmp_path / "again", batch.Shard(2, 2), [line("carol")])
    twice = shard_results(tmp_path / "twice", batch.Shard(2, 2), [line("alice")])
    other = shard_results(tmp_path / "other", batch.Shard(2, 3), [line("bob")])
    unsharded = tmp_path / "unsharded"
    unsharded.mkdir()
    batch.write_summary([line("bob")], unsharded)  # a whole class's batch: no shard of anything
    lying = shard_results(tmp_path / "lying", batch.Shard(2, 2), [line("bob")])
    batch.write_summary([line("bob"), line("dave")], lying)  # a summary that is not the shard's
    out = tmp_path / "all"
    out.mkdir()
    cases = {
        (one,): "missing: 2/2",
        (one, two, again): "given twice",
        (one, twice): "alice is in two shards",
        (one, other): "split into 2",
        (one, unsharded): "not the results of a class graded with --shard",
        (one, tmp_path / "nowhere"): "not the results",
        (one, lying): "summary.json",
        (one, two, out): "is one of the shards",
    }
    for folders, reason in cases.items():
        assert cli.main(["merge", *map(str, folders), "--output", str(out), "--lang", "en"]) == 2
        error = capsys.readouterr().err
        assert reason in error and error.count("\n") == 1, (folders, error)
    assert list(out.iterdir()) == []  # nothing written for shards that do not add up
    assert cli.main(["merge", str(two), str(one), "--output", str(out)]) == 0


def dg(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "checks", *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_three_shards_in_separate_processes_merge_to_one_unsharded_run(tmp_path):
    """As a CI matrix runs it: each shard a process (and labs) of its own, then `merge`."""
    folder = tmp_path / "class"
    for name, example in (("full-a", "full-marks"), ("full-b", "full-marks"), ("partial-a", "partial"), ("partial-b", "partial")):
        (folder / name).mkdir(parents=True)
        for exercise in ("pull-alpine", "run-hello-world"):  # two exercises keep the class quick to grade
            shutil.copy(ROOT / "examples" / example / f"{exercise}.dc", folder / name)
    (folder / "empty").mkdir()
    base = Path(tempfile.mkdtemp(prefix="dgs-", dir="/tmp"))
    os.chmod(base, 0o711)  # each run's sandbox user reaches its folders inside
    env = {**os.environ, "TMPDIR": str(base), "PYTHONPATH": str(ROOT)}
    options = ["--jobs", "1", "--lang", "en", "--exercises", str(EXERCISES), "--exercise", "pull-alpine", "--exercise", "run-hello-world"]
    try:
        shards = [dg("run", str(folder), *options, "--shard", f"{k}/3", "--results", str(tmp_path / f"shard-{k}"), env=env) for k in (1, 2, 3)]
        codes = [process.wait(900) for process in shards]
        whole = dg("run", str(folder), *options, "--results", str(tmp_path / "whole"), env=env)
        assert whole.wait(900) == 1, whole.stderr.read()
        assert sorted(codes) == [0, 1, 1] or sorted(codes) == [1, 1, 1], [p.stderr.read() for p in shards]
        counts = [len(json.loads((tmp_path / f"shard-{k}" / "summary.json").read_text())) for k in (1, 2, 3)]
        assert sorted(counts) != [0, 0, 5] and sum(counts) == 5  # really split, each submission once
        merge = dg("merge", *(str(tmp_path / f"shard-{k}") for k in (3, 1, 2)), "--output", str(tmp_path / "merged"), env=env)
        assert merge.wait(60) == 1, merge.stderr.read()  # the worst run's code, as the unsharded batch's
    finally:
        shutil.rmtree(base, ignore_errors=True)

    def rows(results: Path) -> list[tuple]:
        return [(row["submission"], row["score"], row["max"], row["status"], row["exit_code"])
                for row in json.loads((results / "summary.json").read_text())]

    assert rows(tmp_path / "merged") == rows(tmp_path / "whole")
    assert [row[0] for row in rows(tmp_path / "whole")] == ["empty", "full-a", "full-b", "partial-a", "partial-b"]
    assert {row[0]: row[1] for row in rows(tmp_path / "whole")}["full-a"] > {row[0]: row[1] for row in rows(tmp_path / "whole")}["partial-a"]
    csv_rows = [text.split(",")[:4] for text in (tmp_path / "merged" / "summary.csv").read_text().splitlines()]
    assert csv_rows == [text.split(",")[:4] for text in (tmp_path / "whole" / "summary.csv").read_text().splitlines()]
