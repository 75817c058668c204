"""Where the one-time migration to the lean log (schema 3) spends its time, on a scaled legacy database.

The legacy database is tests/fixtures/legacy/srs-schema2.db (made by the srs before the lean log, see
make_schema2_db.py beside it), copied whole COPIES times with new card, item and review ids: its 25 cards and
397 reviews become (for `--cards 10000`) 10,000 cards and about 159,000 reviews, with every kind of row a
learner's log holds. The rows of the copies are interleaved by rid, as the reviews of many cards are in time.

Store.open migrates it; the table says how long each part took (wall clock): the backup taken first, the
conversion of the log rows, the whole migrate() less its VACUUM, and the VACUUM after the last COMMIT, with the
file size before and after. "lock" is the longest the write lock was held at one time (from BEGIN IMMEDIATE to
the end of its COMMIT or ROLLBACK, or one write statement outside a transaction, as the VACUUM), "txns" how many
write transactions took it: another srs waits at most "lock" to write (issue 11 asks for at most 1 s at 100k
cards, whose 738k reviews `--cards 46500` gives). SQLite's checkpoint after a COMMIT runs once the lock is free;
the upgrade runs it itself after each COMMIT (srs/store/upgrade.py), so it is not counted.
Run: python -m benchmarks.bench_migration [--cards 10000 46500]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "legacy" / "srs-schema2.db"


def scaled_legacy(path: Path, cards: int) -> int:
    """A schema-2 database at `path` with about `cards` cards: the fixture copied; its number of reviews."""
    shutil.copyfile(FIXTURE, path)
    conn = sqlite3.connect(path)
    try:
        span = conn.execute("SELECT MAX(cid) FROM cards").fetchone()[0]
        assert span == conn.execute("SELECT MAX(iid) FROM items").fetchone()[0]
        copies = max(1, cards // span)
        copy = f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {copies - 1}) "

        def columns(table: str, new: dict[str, str]) -> tuple[str, str]:
            names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            return ", ".join(names), ", ".join(new.get(name, name) for name in names)

        with conn:
            if copies > 1:
                names, values = columns("items", {"iid": f"iid + n * {span}", "uid": "uid || '~' || n"})
                conn.execute(f"{copy} INSERT INTO items ({names}) SELECT {values} FROM items, k")
                names, values = columns("cards", {"cid": f"cid + n * {span}", "iid": f"iid + n * {span}",
                                                  "uid": "uid || '~' || n"})
                conn.execute(f"{copy} INSERT INTO cards ({names}) SELECT {values} FROM cards, k WHERE cid <= {span}")
                # Interleaved: each review's copies are neighbours in rid, as answers to many cards are in time.
                conn.execute("UPDATE revlog SET rid = -rid")  # (via negative rids: no rid meets a rid still to move)
                conn.execute(f"UPDATE revlog SET rid = -rid * {copies}")
                names, values = columns("revlog", {"rid": "rid + n", "cid": f"cid + n * {span}"})
                conn.execute(f"{copy} INSERT INTO revlog ({names}) SELECT {values} FROM revlog, k "
                             f"WHERE rid % {copies} = 0")
        conn.execute("VACUUM")
        return conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    finally:
        conn.close()


@contextmanager
def phase_timer():
    """{phase: wall seconds} of the backup, the log's conversion, the whole migrate() and its VACUUM."""
    import srs.store.backup as backup
    import srs.store.log as log
    import srs.store.schema as schema

    spent: dict[str, float] = {}
    originals = {"backup": (backup, "take_backup"), "convert": (log, "convert_legacy_log"),
                 "migrate": (schema, "migrate")}
    try:  # the batches' caller (srs after the upgrade in short transactions) imported the converter by name
        import srs.store.upgrade as upgrade

        originals["convert_batches"] = (upgrade, "convert_legacy_log")
    except ImportError:
        pass
    saved = {name: getattr(module, attr) for name, (module, attr) in originals.items()}

    def timing(name, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        return timed

    for name, (module, attr) in originals.items():
        setattr(module, attr, timing(name, saved[name]))
    import srs.store.db as db

    db.migrate = schema.migrate  # db imported migrate by name
    try:
        yield spent
    finally:
        for name, (module, attr) in originals.items():
            setattr(module, attr, saved[name])
        db.migrate = saved["migrate"]


@contextmanager
def lock_timer(path: Path):
    """[seconds] of every hold of the write lock on the database at `path` by the connections opened meanwhile."""
    holds: list[float] = []
    target = str(path)

    class Timed(sqlite3.Connection):
        def __init__(self, database, *args, **kwargs):
            super().__init__(database, *args, **kwargs)
            self.timed, self.begun = str(database) == target, 0.0

        def execute(self, sql, *args):
            word = sql.lstrip()[:8].upper()
            if not self.timed:
                return super().execute(sql, *args)
            if word.startswith("BEGIN"):
                result = super().execute(sql, *args)
                self.begun = time.perf_counter()  # the lock is taken once BEGIN IMMEDIATE returns
                return result
            if word.startswith(("COMMIT", "ROLLBACK")) or not (self.in_transaction or word.startswith(
                    ("SELECT", "WITH", "PRAGMA"))):
                start = self.begun if self.in_transaction else time.perf_counter()
                try:
                    return super().execute(sql, *args)
                finally:
                    holds.append(time.perf_counter() - start)
            return super().execute(sql, *args)

    original = sqlite3.connect

    def connect(database, *args, **kwargs):
        return original(database, *args, factory=Timed, **kwargs)

    sqlite3.connect = connect
    try:
        yield holds
    finally:
        sqlite3.connect = original


def measure(cards: int) -> dict:
    from srs.store import Store

    root = Path(tempfile.mkdtemp())
    try:
        path = root / "srs.db"
        reviews = scaled_legacy(path, cards)
        size_before = path.stat().st_size
        with phase_timer() as spent:
            start = time.perf_counter()
            vacuum = _time_vacuum()
            with vacuum as vacuumed, lock_timer(path) as holds:
                Store.open(path).close()
            total = time.perf_counter() - start
        return {"cards": cards, "reviews": reviews, "total": total, "backup": spent.get("backup", 0.0),
                "convert": spent.get("convert", 0.0) + spent.get("convert_batches", 0.0),
                "transaction": spent.get("migrate", 0.0) - vacuumed.get("vacuum", 0.0),
                "vacuum": vacuumed.get("vacuum", 0.0),
                "lock": max(holds, default=0.0), "txns": len(holds), "mb_before": size_before / 1e6,
                "mb_after": sum(p.stat().st_size for p in root.glob("srs.db*")) / 1e6}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _time_vacuum():
    """Time the VACUUM that migrate() runs after its COMMIT (on the store's connection)."""
    import srs.store.schema as schema

    @contextmanager
    def timer():
        spent: dict[str, float] = {}
        original = getattr(schema, "vacuum", None)  # None in an srs before it (measured as part of migrate)
        if original is None:
            yield spent
            return

        def timed(conn):
            start = time.perf_counter()
            original(conn)
            spent["vacuum"] = time.perf_counter() - start

        schema.vacuum = timed
        try:
            yield spent
        finally:
            schema.vacuum = original

    return timer()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[10_000])
    args = parser.parse_args()
    print(f"{'cards':>8} {'reviews':>9} {'total s':>8} {'backup':>7} {'convert':>8} {'migrate':>7} {'vacuum':>7} "
          f"{'lock':>6} {'txns':>5} {'MB before':>10} {'MB after':>9}")
    for cards in args.cards:
        r = measure(cards)
        print(f"{r['cards']:>8,} {r['reviews']:>9,} {r['total']:>8.2f} {r['backup']:>7.2f} {r['convert']:>8.2f} "
              f"{r['transaction']:>7.2f} {r['vacuum']:>7.2f} {r['lock']:>6.2f} {r['txns']:>5} {r['mb_before']:>10.1f} "
              f"{r['mb_after']:>9.1f}")


if __name__ == "__main__":
    main()
