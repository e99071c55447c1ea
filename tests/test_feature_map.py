"""The feature map in docs/architecture.md stays true: every file it names exists, and every URL
the application serves has its row, so a new endpoint is mapped when it is added."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def feature_rows():
    """The cells of the feature map's rows, below its header."""
    section = DOC.read_text().split("## Feature map", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def named(cell):
    return re.findall(r"`([^`]+)`", cell)


def test_the_map_has_a_row_per_feature():
    rows = feature_rows()
    assert len(rows) >= 10 and all(len(row) == 7 for row in rows)


def test_every_file_the_map_names_exists():
    missing = [path for row in feature_rows() for cell in row[2:] for path in named(cell)
               if "/" in path and not (ROOT / path).exists()]
    assert missing == []


def test_every_url_the_application_serves_is_mapped(app):
    mapped = {url for row in feature_rows() for url in named(row[1])}
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert served - mapped == set(), "add these URLs to the feature map in docs/architecture.md"
    assert mapped - served == set(), "the feature map names URLs the application does not serve"
