"""Fixtures shared across the test suite; keep this file small."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest


@contextmanager
def local_time_zone(name: str):
    """This process's local time zone set to `name` (a POSIX TZ value), restored afterwards: the learner's
    day starts at 4 a.m. local time, so tests of day boundaries fix the zone."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture(autouse=True)
def _own_settings_file(monkeypatch, tmp_path_factory):
    """Each test reads its own (absent) settings file and has its own data folder, never the learner's real
    ones (a test that forgets `--db` cannot touch the real history); a setting a command applied to this
    process (the day's start, `srs -c`) is undone afterwards."""
    from srs import clock, settings

    monkeypatch.setenv("SRS_CONFIG", str(tmp_path_factory.mktemp("config") / "settings.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setattr(clock, "DAY_STARTS_AT_HOUR", clock.DAY_STARTS_AT_HOUR)
    monkeypatch.setattr(settings, "command_line", {})


@pytest.fixture
def time_zone():
    """`with time_zone("UTC"): ...` (see local_time_zone)."""
    return local_time_zone


@pytest.fixture
def run_srs():
    """Run the `srs` command line in-process: `run_srs("check", path)` gives click's Result.

    The Result has `exit_code`, `stdout`, `stderr` and `output` (both, interleaved) and `exception`.
    """
    from click.testing import CliRunner

    from srs.cli import cli

    runner = CliRunner()

    def run(*args, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], **kwargs)

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a skipped test fails: CI installs every extra and tool, so a skip there hides a test
    that silently stopped running. Locally, skips stay skips, each with its reason."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be: {reason}"
