"""docs/ci.md's GitLab, GitHub Actions and Jenkins snippets, run as written: their commands, in the
order and shells their CI system would use, against the test's server, with stand-ins for the
project's tests (`ci/*.sh`), for `tools/` and for `pip install`."""
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from tests.client_runs import CLIENT, pid_gone

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}
DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
STAND_IN = '#!/bin/sh\necho "$(basename "$0") $* on ${RESERVIA_RESOURCES:-?}" >> "$RAN"\n'


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def gitlab_jobs():
    return [(name, job) for block in blocks("yaml") for name, job in yaml.safe_load(block).items()
            if isinstance(job, dict) and "script" in job]


def github_jobs():
    return [(name, job) for block in blocks("yaml") for name, job in (yaml.safe_load(block).get("jobs") or {}).items()]


def jenkins_pipelines():
    """Each pipeline's `sh` steps in the order they run (the stages, then `post`)."""
    return [[m.group(1) or m.group(2) for m in re.finditer(r"sh '''(.*?)'''|sh '([^']*)'", block, flags=re.S)]
            for block in blocks("groovy")]


class Workspace:
    """A checkout as the snippets expect it, and the shell they run in."""

    def __init__(self, folder, jobs, token):
        self.folder, self.ran = folder, folder / "ran"
        bin_dir = folder / "bin"
        for path, text in {"ci/run-hil-tests.sh": STAND_IN, "ci/flash-firmware.sh": STAND_IN,
                           "bin/pip": "#!/bin/sh\nexit 0\n",
                           "bin/reservia": f'#!/bin/sh\nexec "{sys.executable}" "{CLIENT}" "$@"\n',
                           "tools/reservia.py": CLIENT.read_text()}.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
            (folder / path).chmod(0o755)
        (bin_dir / "python3").symlink_to(sys.executable)
        self.env = jobs.env(token, PATH=f"{bin_dir}:{os.environ['PATH']}", RAN=str(self.ran))
        self.outputs = []

    def sh(self, script, shell=("sh", "-e", "-c"), **extra):
        done = subprocess.run([*shell, script], cwd=self.folder, env={**self.env, **extra}, capture_output=True,
                              text=True, timeout=120)
        self.outputs.append(done.stdout)
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return done

    def stop_daemons(self):
        """Stop the keep-alive daemons the snippets started (they print their ids), if still running."""
        for pid in {int(line) for out in self.outputs for line in out.split() if line.isdigit()}:
            if not pid_gone(pid) and b"keep-alive" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, 9)


@pytest.fixture
def workspace(jobs, tmp_path):
    for name, labels in (("bench-1", []), ("hil-1", ["hil", "can-bus"]), ("scope-1", ["scope", "usb3"]),
                         ("scope-2", ["scope", "usb3"])):
        jobs.resource(name, labels=labels)
    space = Workspace(tmp_path, jobs, jobs.token_for("ci-runner"))
    space.jobs = jobs
    try:
        yield space
    finally:
        space.stop_daemons()


def assert_ran_holding(space, tests):
    assert space.ran.read_text().splitlines() == tests
    assert space.jobs.active() == []
    assert {r["status"] for r in space.jobs.history()} == {"released"}


@pytest.mark.parametrize("name", [name for name, _ in gitlab_jobs()])
def test_gitlab_snippets_run_as_written(workspace, name):
    job = dict(gitlab_jobs())[name]
    workspace.sh("\n".join(job.get("before_script", []) + job["script"]), CI_JOB_URL="https://gitlab.example.org/j/1")
    if "after_script" in job:  # a shell of its own
        workspace.sh("\n".join(job["after_script"]))
    held = {"hil-tests": ["run-hil-tests.sh  on hil-1"],
            "hil-session": ["flash-firmware.sh  on ?", "run-hil-tests.sh  on ?"]}[name]
    assert_ran_holding(workspace, held)
    assert "https://gitlab.example.org/j/1" in {r["note"] for r in workspace.jobs.history()}


@pytest.mark.parametrize("name", [name for name, _ in github_jobs()])
def test_github_snippets_run_as_written(workspace, name):
    job = dict(github_jobs())[name]
    github_env = workspace.folder / "github.env"
    github_env.touch()
    for step in job["steps"]:
        if "run" not in step:
            continue
        passed = dict(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
        workspace.sh(step["run"], ("bash", "-e", "-c"), GITHUB_ENV=str(github_env), **passed)
    held = {"hil-tests": ["run-hil-tests.sh  on bench-1"],
            "hil-session": ["flash-firmware.sh bench-1 on bench-1", "run-hil-tests.sh  on bench-1"]}[name]
    assert_ran_holding(workspace, held)


@pytest.mark.parametrize("number", range(len(jenkins_pipelines())))
def test_jenkins_snippets_run_as_written(workspace, number):
    for script in jenkins_pipelines()[number]:
        workspace.sh(script, ("sh", "-x", "-e", "-c"))
    held = [["run-hil-tests.sh  on scope-1,scope-2"], ["flash-firmware.sh  on ?", "run-hil-tests.sh  on ?"]][number]
    assert_ran_holding(workspace, held)


def test_every_ci_snippet_is_run():
    assert len(gitlab_jobs()) == 2 and len(github_jobs()) == 2 and len(jenkins_pipelines()) == 2
