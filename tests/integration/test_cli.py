"""The command line: `store-assistant ingest` with CSV and JSON files."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.settings import Settings
from tests.conftest import use_servers_of

pytestmark = pytest.mark.integration

CSV = """\
item_code,name,description,brand,category,unit,price,currency,warehouse,branch,city,quantity
GR-APPLE,Red apples,Fresh red apples,Campo Verde,Fruit,kg,2.40,USD,Main,Centro,Caracas,120
GR-APPLE,Red apples,Fresh red apples,Campo Verde,Fruit,kg,2.40,USD,South,Valencia,Valencia,40
GR-BAD,Broken,,,,kg,not-a-price,USD,Main,Centro,Caracas,1
"""


def test_ingest_reads_csv_rows_per_warehouse_and_reports_rejects(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_servers_of(settings, monkeypatch)
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(CSV, encoding="utf-8")
    assert main(["ingest", str(catalog)]) == 0
    out, err = capsys.readouterr()
    assert "received 3, inserted 1" in out
    assert "rejected 1" in out
    assert "rejected #2 (GR-BAD): price" in err
    again = tmp_path / "again.json"
    again.write_text('[{"item_code": "GR-APPLE", "name": "Red apples", "price": 2.4}]')
    assert main(["ingest", str(again), "--full-sync"]) == 0
    assert "updated 1" in capsys.readouterr().out


def test_ingest_explains_a_file_that_is_not_json(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    assert main(["ingest", str(broken)]) == 2
