"""A serving process leaves what start-up made out of the garbage collector's scans
(backend/web/server_memory.py): its full collections were the tail of the dashboard's refreshes."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.web.server_memory import YOUNG_COLLECTION_EVERY

pytestmark = [pytest.mark.once, pytest.mark.own_sqlite]
ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_entry_point_freezes_start_up_and_collects_young_objects_less_often(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")}
    env.update(RESERVIA_HOME=str(tmp_path / "home"), RESERVIA_SECRET_KEY="test-secret-key",
               RESERVIA_ADMIN_PASSWORD="chief-test-password")
    report = "import gc, app; print(gc.get_freeze_count(), gc.get_threshold()[0])"
    shown = subprocess.run([sys.executable, "-c", report], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True, timeout=60).stdout.split()
    frozen, young = int(shown[0]), int(shown[1])
    assert frozen > 50_000  # the application, its modules and templates
    assert young == YOUNG_COLLECTION_EVERY
