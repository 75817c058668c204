"""The architecture as rules that fail when broken: SQL lives in srs/store, imports go one way, and only
the command layer prints (through srs/ui/console.py, which makes text inert).

All are read from the source (ast), so a rule holds for code no test happens to run, including imports
made inside functions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRS = Path(__file__).resolve().parents[1] / "srs"

# SQL on Anki's own collections (a package being written or read; the sync mirror), never on srs's store: the
# test below holds them to Anki's tables. srs's own rows reach them through srs/store's functions.
SQL_ON_ANKI_COLLECTIONS = {
    "srs/export/anki.py": "writes the collection inside an Anki package",
    "srs/export/anki_history.py": "writes the learner's progress into that collection (read through srs/store)",
    "srs/ankisync/mirror.py": "Anki's collection schema, written through Anki's own db handle",
    "srs/importers/anki/read.py": "reads the collection inside an Anki package (a temporary copy), not the store",
    "srs/importers/anki/modern.py": "reads the newer Anki collection schema inside a package, not the store",
    "srs/ankisync/engine.py": "reads the mirror collection's review ids through Anki's own db handle",
}
# Catching sqlite3's errors is not executing SQL.
SQLITE3_EXCEPTIONS = {"Error", "DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError"}
EXECUTE = {"execute", "executemany", "executescript"}
# Anki's db handle (`col.db`) runs SQL through these too.
ANKI_DB_QUERIES = {"all", "first", "list", "scalar"}


def sql_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) for every place the code runs SQL or reaches for a database API."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in EXECUTE:
            found.append((node.lineno, f".{node.attr}"))
        elif (isinstance(node, ast.Attribute) and node.attr in ANKI_DB_QUERIES and isinstance(node.value, ast.Attribute)
              and node.value.attr == "db"):
            found.append((node.lineno, f".db.{node.attr}"))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sqlite3":
            if node.attr not in SQLITE3_EXCEPTIONS:
                found.append((node.lineno, f"sqlite3.{node.attr}"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if a.name.split(".")[0] == "sqlite_utils"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top == "sqlite_utils" or (top == "sqlite3" and {a.name for a in node.names} - SQLITE3_EXCEPTIONS):
                found.append((node.lineno, f"from {node.module} import"))
    return found


def modules() -> list[Path]:
    return sorted(SRS.rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(SRS.parent).as_posix()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("store.conn.execute('SELECT 1')", [(1, ".execute")]),
        ("conn.executemany(sql, rows)", [(1, ".executemany")]),
        ("col.db.list(\"SELECT id FROM revlog\")", [(1, ".db.list")]),
        ("c.executescript(s)", [(1, ".executescript")]),
        ("import sqlite3\nsqlite3.connect(p)", [(2, "sqlite3.connect")]),
        ("import sqlite_utils", [(1, "import sqlite_utils")]),
        ("from sqlite3 import connect", [(1, "from sqlite3 import")]),
        ("import sqlite3\ntry:\n    pass\nexcept sqlite3.Error:\n    pass", []),
        ("from sqlite3 import OperationalError", []),
        ("store.deck_titles()", []),
    ],
)
def test_the_sql_finder_finds_sql(code, expected):
    assert sql_uses(code) == expected


def test_no_module_outside_the_store_executes_sql():
    offenders = []
    for path in modules():
        name = rel(path)
        if name.startswith("srs/store/") or name in SQL_ON_ANKI_COLLECTIONS:
            continue
        offenders += [f"{name}:{line}: {what}" for line, what in sql_uses(path.read_text(encoding="utf-8"))]
    assert offenders == [], "SQL belongs in srs/store (add a function there):\n" + "\n".join(offenders)


def test_the_files_allowed_sql_on_anki_collections_still_exist():
    # An exception for a file that is gone (moved or split) would silently allow too much: drop it instead.
    for name in SQL_ON_ANKI_COLLECTIONS:
        assert (SRS.parent / name).exists(), name


# Tables of Anki's collections, old schema (genanki's, 11) and new (18); srs's store shares some names.
ANKI_TABLES = {"col", "notes", "cards", "revlog", "graves", "decks", "deck_config", "config", "notetypes", "fields",
               "templates", "tags", "sqlite_master"}
TABLE_IN_SQL = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?)\s+(?:temp\.)?([a-z_][a-z0-9_]*)\b")


def tables_named(source: str) -> set[str]:
    """The tables the file's string literals name in SQL (FROM, JOIN, INTO, UPDATE, CREATE TABLE)."""
    return {table for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) for table in TABLE_IN_SQL.findall(node.value)}


def test_the_table_finder_reads_sql_strings():
    code = ('conn.execute("SELECT c.id FROM cards c JOIN items i ON i.iid = c.iid")\n'
            'conn.execute(f"INSERT INTO revlog_before VALUES ({marks})")\nconn.execute("DELETE FROM temp.staged")\n'
            'raise UserError("nothing came from the deck")')
    assert tables_named(code) == {"cards", "items", "revlog_before", "staged"}


def test_the_sql_on_anki_collections_names_no_table_only_srs_has():
    store = "".join(path.read_text(encoding="utf-8") for path in sorted((SRS / "store").glob("*.py")))
    srs_only = tables_named(store) - ANKI_TABLES
    assert {"items", "card_actions", "revlog_before", "settings"} <= srs_only
    found = {name: sorted(tables_named((SRS.parent / name).read_text(encoding="utf-8")) & srs_only)
             for name in SQL_ON_ANKI_COLLECTIONS}
    assert {name: tables for name, tables in found.items() if tables} == {}


# -- imports ----------------------------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside functions (absolute names)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") or name.startswith(p + "/") for p in prefixes)


def broken(rule_applies, forbidden: tuple[str, ...], allowed_for_now: dict[str, str] | None = None) -> list[str]:
    found = []
    for path in modules():
        name = rel(path)
        if not rule_applies(name) or name in (allowed_for_now or {}):
            continue
        found += [f"{name} imports {m}" for m in sorted(imports_of(path)) if under(m, *forbidden)]
    return found


def test_the_terminal_does_not_reach_into_exporters_importers_or_commands():
    assert broken(lambda n: n.startswith("srs/ui/"), ("srs.export", "srs.importers", "srs.commands", "srs.cli",
                                                      "srs.demo", "srs.sync")) == []


def test_the_deck_model_knows_no_store_terminal_or_scheduler():
    assert broken(lambda n: n.startswith("srs/deck/"), ("srs.store", "srs.ui", "srs.commands", "srs.cli",
                                                        "srs.session", "srs.scheduler", "click", "rich")) == []


def test_the_store_depends_only_on_the_clock_and_errors():
    others = ("srs.deck", "srs.ui", "srs.commands", "srs.cli", "srs.session", "srs.scheduler", "srs.stats",
              "srs.queue", "srs.optimizer", "srs.export", "srs.importers", "srs.sync", "srs.demo", "click", "rich")
    assert broken(lambda n: n.startswith("srs/store/"), others) == []


def test_only_the_command_layer_and_the_terminal_import_click_or_rich():
    def core(name: str) -> bool:
        return not (name.startswith(("srs/ui/", "srs/commands/")) or name in ("srs/cli.py", "srs/__main__.py"))

    assert broken(core, ("click", "rich")) == []


def test_only_the_command_line_imports_the_commands():
    def outside(name: str) -> bool:
        return not (name.startswith("srs/commands/") or name in ("srs/cli.py", "srs/__main__.py"))

    assert broken(outside, ("srs.commands", "srs.cli")) == []


def test_the_import_finder_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from srs.export.progress import Progress\n    import rich.console\n")
    assert {"srs.export.progress", "rich.console"} <= imports_of(module)


# -- printing ---------------------------------------------------------------------------------------

# The command layer prints; views are rich renderables it prints (srs/ui/stats.py, card_info.py, summary.py).
PRINTING_LAYER = ("srs/commands/", "srs/cli.py", "srs/__main__.py", "srs/ui/console.py")
# Interactive terminal programs: they print as they prompt and read keys, in a session a command started.
INTERACTIVE = {"srs/ui/reviewer.py", "srs/ui/quiz.py"}
# Scripts with a `python -m` entry point of their own, for machines without the CLI (a GPU box training the
# demo model, the prompt-grid measurement): they print their own progress.
SCRIPTS = {"srs/demo/train.py", "srs/demo/evaluate.py"}
# Only srs.ui.console writes: its echo and its Console make text inert once, as it is written.


def prints(source: str) -> list[tuple[int, str]]:
    """(line, what) for every call that writes to the terminal: print(), echo, console.print, stream writes."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("print", "echo", "secho"):
            found.append((node.lineno, f"{func.id}()"))
        elif isinstance(func, ast.Attribute) and func.attr in ("print", "echo", "secho", "rule"):
            found.append((node.lineno, f".{func.attr}()"))
        elif isinstance(func, ast.Attribute) and func.attr == "write" and ast.unparse(func.value) in (
                "sys.stdout", "sys.stderr"):
            found.append((node.lineno, f"{ast.unparse(func.value)}.write()"))
    return found


def raw_output(source: str) -> list[tuple[int, str]]:
    """(line, what) for output that would bypass srs.ui.console: click.echo/secho, print(), a rich Console."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("click.echo", "click.secho", "print", "Console", "rich.print", "sys.stdout.write",
                        "sys.stderr.write"):
                found.append((node.lineno, f"{name}()"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("click", "rich"):
            found += [(node.lineno, f"from {node.module} import {a.name}") for a in node.names
                      if a.name in ("echo", "secho", "print")]
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print('x')", [(1, "print()")]),
        ("click.echo(line, err=True)", [(1, ".echo()")]),
        ("echo(line)", [(1, "echo()")]),
        ("self.console.print(Text('x'))", [(1, ".print()")]),
        ("console.rule()", [(1, ".rule()")]),
        ("import sys\nsys.stderr.write('x')", [(2, "sys.stderr.write()")]),
        ("render(data)\nText('x')\nfile.write(b'')\nnp.log(2)", []),
    ],
)
def test_the_print_finder_finds_printing(code, expected):
    assert prints(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("click.echo(x)", [(1, "click.echo()")]),
        ("print(x)", [(1, "print()")]),
        ("Console(stderr=True)", [(1, "Console()")]),
        ("from click import echo", [(1, "from click import echo")]),
        ("from srs.ui.console import echo\necho(x)\nview_console().print(v)", []),
    ],
)
def test_the_raw_output_finder_finds_what_bypasses_the_console(code, expected):
    assert raw_output(code) == expected


def test_only_the_command_layer_and_interactive_terminal_print():
    offenders = []
    for path in modules():
        name = rel(path)
        if name.startswith(PRINTING_LAYER) or name in INTERACTIVE or name in SCRIPTS:
            continue
        offenders += [f"{name}:{line}: {what}" for line, what in prints(path.read_text(encoding="utf-8"))]
    assert offenders == [], "return data or a rich renderable; the command prints it:\n" + "\n".join(offenders)


def test_everything_printed_goes_through_the_inert_console():
    offenders = []
    for path in modules():
        name = rel(path)
        if name == "srs/ui/console.py" or name in SCRIPTS:
            continue
        offenders += [f"{name}:{line}: {what}" for line, what in raw_output(path.read_text(encoding="utf-8"))]
    assert offenders == [], "print with srs.ui.console's echo or view_console:\n" + "\n".join(offenders)


def test_the_files_allowed_to_print_still_exist():
    for name in INTERACTIVE | SCRIPTS:
        assert (SRS.parent / name).exists(), name


VIEWS = ("srs/ui/stats.py", "srs/ui/card_info.py", "srs/ui/summary.py")


def test_views_get_what_they_show_from_functions_not_from_the_store():
    # A view lays out plain data a core function returned (srs.stats, srs.optimizer.card_info); it reads nothing.
    assert broken(lambda n: n in VIEWS, ("srs.store", "srs.session", "srs.queue", "sqlite3", "sqlite_utils",
                                         "click")) == []
    for name in VIEWS:
        assert (SRS.parent / name).exists(), name


def private_imports(path: Path) -> list[str]:
    """`from srs.x import _name`, where srs.x is another package's module: reaching into its internals."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("srs."):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_the_importers_use_other_modules_public_names_only():
    # Not sync's helpers, not the replay's snapshot format: decks and history reach the store through its one
    # write path (srs.store.catalog, srs.store.imports), and from the optimizer only the replay itself is used.
    found = []
    for path in modules():
        name = rel(path)
        if name.startswith("srs/importers/"):
            found += [f"{name} imports {m}" for m in private_imports(path) if not m.startswith("srs.importers.")]
            found += [f"{name} imports {m}" for m in sorted(imports_of(path))
                      if under(m, "srs.optimizer") and m not in ("srs.optimizer.replay", "srs.optimizer.replay.replay",
                                                                   "srs.optimizer.replay.replayer_for",
                                                                   "srs.optimizer.replay.scheduling_around",
                                                                   "srs.optimizer.replay.replay_cards")]
    assert found == []
