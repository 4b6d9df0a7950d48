"""The one command a person runs to try the cluster (docs/galera.md): it starts three Galera nodes
and HAProxy, migrates, returns, and stops them by the PIDs it wrote."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.galera.cluster import alive
from tests.galera.test_galera_failover import pytestmark  # noqa: F401 - the same gate: MariaDB pass, tools
from tests.replica.servers import ROOT


def test_the_cluster_command_starts_and_stops_by_pids():
    """`python -m tests.galera.cluster start DIR` returns with the cluster up; `stop DIR` ends it."""
    directory = Path(tempfile.mkdtemp(prefix="irctc-galera-cli-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "PYTEST"))}
    try:
        started = _cluster_command("start", directory, env)
        assert started.returncode == 0, started.stderr[-3000:]
        pids = list(json.loads((directory / "pids.json").read_text()).values())
        assert len(pids) == 4 and all(alive(pid) for pid in pids)
    finally:
        if (directory / "pids.json").exists():
            stopped = _cluster_command("stop", directory, env)
            assert stopped.returncode == 0, stopped.stderr[-3000:]
            assert not any(alive(pid) for pid in pids)
        shutil.rmtree(directory, ignore_errors=True)


def _cluster_command(command: str, directory: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.galera.cluster", command, str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
