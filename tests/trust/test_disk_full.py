"""A full disk gives one line that says nothing was changed, never SQLite's "cannot rollback"."""

from __future__ import annotations

import errno

import pytest

from srs.errors import UserError
from srs.store import Store
from srs.sync import sync


def test_a_full_database_disk_is_one_clear_error_and_nothing_is_half_written(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up after two more pages
    items = "".join(f"  - q: Question number {n} {'x' * 200}?\n    a: {n}\n" for n in range(500))
    (tmp_path / "big.yaml").write_text("title: Big\nitems:\n" + items)
    with pytest.raises(UserError) as raised:
        sync(store, [tmp_path / "big.yaml"])
    assert str(raised.value) == (f"disk full: nothing was changed in database {tmp_path / 'srs.db'}; free some "
                                 "space and try again")
    assert store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0
    assert not store.conn.in_transaction


def test_a_full_disk_while_writing_a_file_is_one_line(run_srs, tmp_path, monkeypatch):
    (tmp_path / "d.yaml").write_text("title: D\nitems:\n  - q: a\n    a: b\n")
    import srs.export.pdf as pdf

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.pdf"))

    monkeypatch.setattr(pdf, "export_pdf", full)
    result = run_srs("export", "pdf", tmp_path / "d.yaml", "-o", tmp_path / "out.pdf")
    assert (result.exit_code, result.output) == (
        1, f"Error: disk full writing {tmp_path / 'out.pdf'}: nothing was changed; free some space and try again\n"
    )
    assert not (tmp_path / "out.pdf").exists()
