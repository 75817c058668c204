"""Fixtures of the `srs sync` tests: a real sync server per test, and the phone (both need `anki`)."""

from __future__ import annotations

import pytest
from ankisync_helpers import Phone, SyncServer


@pytest.fixture
def server(tmp_path):
    pytest.importorskip("anki.syncserver")
    running = SyncServer(tmp_path / "server")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def phone(tmp_path, server):
    (tmp_path / "phone").mkdir()
    device = Phone(tmp_path / "phone" / "collection.anki2", server.endpoint)
    yield device
    device.close()
