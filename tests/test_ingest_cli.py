"""The ``gongkai ingest`` path: idempotence, bad input, one transaction, races."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db.bundled import ingest_document
from db.loader import publisher_id, report_id
from ingest.sources import SourceError, read_path
from tests.conftest import REPORTS

JILIN = REPORTS / "jilin-city-2017.txt"
TABLES = ("report", "section", "observation", "statement", "check_result", "publisher")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES}


def test_ingesting_twice_changes_nothing(fresh_db: Engine) -> None:
    first = ingest_document(fresh_db, read_path(JILIN))
    before = _counts(fresh_db)
    second = ingest_document(fresh_db, read_path(JILIN))
    assert first.status == "created" and second.status == "unchanged"
    assert first.report_id == second.report_id == report_id(publisher_id("吉林市人民政府"), 2017)
    assert _counts(fresh_db) == before
    assert before["report"] == 1 and first.observations == before["observation"]


def test_a_changed_source_replaces_the_report_atomically(fresh_db: Engine, tmp_path: Path) -> None:
    ingest_document(fresh_db, read_path(JILIN))
    changed = tmp_path / "jilin.txt"
    changed.write_text(JILIN.read_text(encoding="utf-8").replace("122次", "123次"), encoding="utf-8")
    res = ingest_document(fresh_db, read_path(changed))
    assert res.status == "replaced"
    with fresh_db.connect() as conn:
        meetings = conn.execute(text(
            "SELECT value FROM observation WHERE metric = 'capacity.meetings'")).scalars().all()
        assert [int(v) for v in meetings] == [123]
        assert conn.execute(text("SELECT COUNT(*) FROM report")).scalar_one() == 1


def test_failure_half_way_leaves_the_database_as_it_was(fresh_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import db.loader as loader

    before = _counts(fresh_db)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full while writing statements")

    monkeypatch.setattr(loader, "_bump_version", boom)
    with pytest.raises(RuntimeError):
        ingest_document(fresh_db, read_path(JILIN))
    assert _counts(fresh_db) == before


def test_concurrent_ingests_of_the_same_report_leave_one_copy(fresh_db: Engine) -> None:
    errors: list[BaseException] = []
    statuses: list[str] = []

    def work() -> None:
        try:
            statuses.append(ingest_document(fresh_db, read_path(JILIN)).status)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(statuses).count("created") == 1
    assert _counts(fresh_db)["report"] == 1


def _cli(*args: str, env_url: str) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ, GONGKAI_DATABASE_URL=env_url)
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120)


def test_cli_json_output_and_bad_inputs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    ok = _cli("ingest", str(JILIN), "--json", env_url=url)
    assert ok.returncode == 0, ok.stderr
    import json

    out = json.loads(ok.stdout)
    assert out["report_id"] == report_id(publisher_id("吉林市人民政府"), 2017)
    assert out["observations"] >= 60 and out["checks"]["pass"] >= 32

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    notreport = tmp_path / "recipe.txt"
    notreport.write_text("红烧肉的做法：五花肉切块，焯水，炒糖色。" * 20, encoding="utf-8")
    for path, word in ((empty, "empty"), (binary, "binary"), (notreport, "report")):
        res = _cli("ingest", str(path), env_url=url)
        assert res.returncode != 0
        assert word in res.stderr.lower(), res.stderr
    missing = _cli("ingest", str(tmp_path / "nope.txt"), env_url=url)
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    # nothing but the good report was written
    from sqlalchemy import create_engine

    eng = create_engine(url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM report")).scalar_one() == 1
    eng.dispose()


def test_gbk_encoded_report_is_read(tmp_path: Path, fresh_db: Engine) -> None:
    gbk = tmp_path / "jilin-gbk.txt"
    gbk.write_bytes(JILIN.read_text(encoding="utf-8").encode("gb18030"))
    doc = read_path(gbk)
    assert "两万五千八百余条" in doc.text
    res = ingest_document(fresh_db, doc)
    assert res.status == "created" and res.observations >= 60


def test_publisher_and_year_are_required_when_the_title_has_none(tmp_path: Path, fresh_db: Engine) -> None:
    body = JILIN.read_text(encoding="utf-8")
    untitled = tmp_path / "untitled.txt"
    untitled.write_text(body[body.index("根据《中华人民共和国政府信息公开条例》"):].replace(
        "吉林市人民政府2017年政府信息公开工作年度报告", ""), encoding="utf-8")
    with pytest.raises((SourceError, ValueError), match="publisher"):
        ingest_document(fresh_db, read_path(untitled))
    res = ingest_document(fresh_db, read_path(untitled), publisher="吉林市人民政府", year=2017)
    assert res.observations >= 60


def test_cli_crossyear_recompute(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cy.sqlite3'}"
    for name in ("hongze-district-2023.txt", "hongze-district-2024.txt"):
        assert _cli("ingest", str(REPORTS / name), env_url=url).returncode == 0
    res = _cli("db", "crossyear", env_url=url)
    assert res.returncode == 0, res.stderr
    assert "for 1 publishers" in res.stdout
    from sqlalchemy import create_engine

    eng = create_engine(url)
    with eng.connect() as conn:
        carry = conn.execute(text(
            "SELECT result FROM check_result WHERE rule LIKE 'crossyear:carry_over%' AND year = 2024")).scalars().all()
    eng.dispose()
    assert carry and set(carry) == {"pass"}
