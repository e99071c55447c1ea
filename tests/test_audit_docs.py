"""docs/audit.md lists exactly the actions Reservia records, so that whoever adds one documents it."""
import re
from pathlib import Path

import pytest

from backend.database.audit import ACTIONS, OBJECT_TYPES

pytestmark = pytest.mark.once


def test_the_documented_actions_are_the_recorded_ones():
    text = (Path(__file__).parent.parent / "docs" / "audit.md").read_text()
    documented = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([a-z_]+)` \|", text, re.M)
    assert [action for action, _ in documented] == list(ACTIONS)
    assert all(action.startswith(f"{kind}.") and kind in OBJECT_TYPES for action, kind in documented)
