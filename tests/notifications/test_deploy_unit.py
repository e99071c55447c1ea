"""deploy/reservia-deliver.service runs the worker with the Apache site's user, code and data."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "reservia-deliver.service"


def unit_settings():
    values = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def apache_default(name):
    return re.search(rf"Define {name} (\S+)", (ROOT / "deploy" / "reservia.conf").read_text()).group(1)


def test_the_unit_matches_the_apache_site():
    unit = unit_settings()
    assert unit["User"] == [apache_default("RESERVIA_USER")]
    assert unit["WorkingDirectory"] == [apache_default("RESERVIA_ROOT")]
    assert f"RESERVIA_HOME={apache_default('RESERVIA_HOME')}" in unit["Environment"]
    assert unit["ExecStart"][0].startswith(apache_default("RESERVIA_VENV") + "/bin/flask ")


def test_the_units_command_runs_a_pass(tmp_path):
    """Its ExecStart, with this checkout and virtualenv in place of /srv/reservia, does a pass."""
    unit = unit_settings()
    command = shlex.split(unit["ExecStart"][0])
    command[0] = str(Path(sys.executable).parent / "flask")
    env = {**os.environ, "RESERVIA_HOME": str(tmp_path / "home"), "RESERVIA_DATABASE_URL": "",
           "RESERVIA_LOG_FILE": ""}
    result = subprocess.run([*command, "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Delivery pass done" in result.stdout
