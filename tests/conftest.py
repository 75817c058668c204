"""Fixtures shared across the test suite; keep this file small."""

from __future__ import annotations

import pytest


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
