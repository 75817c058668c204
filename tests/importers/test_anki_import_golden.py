"""An Anki import writes exactly what it wrote before it was made fast: the same YAML, byte for byte, and
the same rows in the store (decks, items, cards, the replayed log).

The package is made by Anki itself with fixed GUIDs and review ids, so it is the same package every run; its
fields mix markup, markdown specials, MathJax, cloze markers, sounds, Unicode and YAML's own specials. The
expected output (tests/fixtures/anki_import_golden/) was written by the importer before the fast paths;
`SRS_REGENERATE_GOLDEN=1` writes it again (only after a deliberate change of the output).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from srs.importers.anki import import_package
from srs.store import Store

GOLDEN = Path(__file__).parent.parent / "fixtures" / "anki_import_golden"
DAY_MS = 86_400_000
TEXTS = [
    "What is <b>noise</b>?", "2*3*4", "__init__ and snake_case", r"\(x^2\) and \[y\]", "# x", "- not a list",
    "1. not a list either", "<div>line one</div><div>line two</div>", "a<br>b<br><br>c",
    "<ul><li>x</li><li>y</li></ul>", "<ol><li>first</li><li>second</li></ol>", "a&nbsp;b &amp; c &lt;d&gt;",
    "[sound:voice one.mp3]", "say [sound:a.mp3]!",
    "<pre>code\n  indented</pre>", "<code>x*y</code> and `tick`", '<a href="http://example.org">link</a>',
    '<a href="http://e.org">http://e.org</a>', "key: value # not a comment", "yes", "null", "123", "1.5", "'quoted'",
    '"double"', "Café ✓ 日本語 — ελληνικά", "  leading and trailing  ", "tab\there", "{{c1::not a cloze here}}",
    "x " * 60, "A long sentence that goes on and on, well past ninety characters, so the writer folds it as prose.",
    "<b>bold <i>both</i></b> <s>struck</s>", "<h2>Heading</h2>text", "<blockquote>quoted</blockquote>", "<hr>",
    "<span style='color:red'>red</span> <font color=blue>blue</font>", "<script>alert(1)</script>kept",
    "<table><tr><td>a</td><td>b</td></tr></table>", "[link](target) ![img](x.png)", "<img src=\"missing.png\">",
    "@at", "%percent", "!bang", "&#42;star&#42;", "ends with colon:", "- ", "*", ">", "~~~", "=== ", "",
    "<b></b>", "<div><br></div>", "a\nb", "multi\n\nparagraph", "tags <i>a</i>_b_", "&unknown; &#x41;",
]
CLOZES = ["From {{c1::noise}} to {{c2::an <b>image</b>}}.", "{{c1::2*3::hint}} is {{c2::six}}", "no deletion"]


def golden_package(folder: Path) -> Path:
    """A package of 150 notes Anki writes (with reviews on every third card, suspended and flagged cards)."""
    from anki.collection import AddNoteRequest, Collection

    from benchmarks.bench_import import export_with_reviews

    rng = random.Random(15)
    col = Collection(str(folder / "golden.anki2"))
    try:
        decks = [col.decks.id(name) for name in ("Golden::One", "Golden::Two ✓", "Plain")]
        models = [col.models.by_name(name) for name in
                  ("Basic", "Basic (and reversed card)", "Basic (type in the answer)", "Cloze")]
        requests = []
        for n in range(150):
            model = models[n % len(models)]
            note = col.new_note(model)
            note.guid = f"golden-guid-{n}" if n % 2 else f"g{n}"  # srs-like ids, and plain GUIDs
            if model["name"] == "Cloze":
                note["Text"] = CLOZES[n % len(CLOZES)] + " " + TEXTS[n % len(TEXTS)]
                note["Back Extra"] = TEXTS[(n * 7) % len(TEXTS)]
            else:
                note["Front"] = TEXTS[n % len(TEXTS)] or "front"
                note["Back"] = TEXTS[(n * 3 + 1) % len(TEXTS)]
            note.tags = [["bench", "part::x"], ["Lang::Korean", "lang::korean", "Café"], [], ["a b", "::"]][n % 4]
            requests.append(AddNoteRequest(note=note, deck_id=decks[n % len(decks)]))
        col.add_notes(requests)
        cards = sorted(col.find_cards(""), key=lambda cid: (col.get_card(cid).note().guid, col.get_card(cid).ord))
        rows = []
        at = 1_704_110_400_000
        for i, cid in enumerate(cards):
            if i % 7 == 0:
                col.db.execute("UPDATE cards SET queue = -1 WHERE id = ?", cid)
            if i % 11 == 0:
                col.db.execute("UPDATE cards SET flags = ? WHERE id = ?", 1 + i % 7, cid)
            if i % 3:
                continue
            for step in range(rng.randrange(1, 6)):
                at += (step + 1) * DAY_MS + rng.randrange(1000)
                rows.append((at, cid, rng.choice((1, 2, 3, 3, 4)), 1000 * step, min(step, 2)))
        return export_with_reviews(col, rows, folder / "golden.apkg")
    finally:
        col.close()


TABLES = {
    "decks": "SELECT id, title, kind, options, retired FROM decks ORDER BY id",
    "items": "SELECT uid, deck_id, kind, content_hash, key_text, content, tags, line, idx, explicit_id, retired "
             "FROM items ORDER BY uid",
    "cards": "SELECT c.uid, c.ord, c.deck_id, c.idx, c.active, c.state, c.step, c.stability, c.difficulty, c.due, "
             "c.last_review, c.reps, c.lapses FROM cards c ORDER BY c.uid",
    "revlog": "SELECT c.uid, r.reviewed_at, r.rating, r.duration_ms, r.source, r.response, r.state_before, r.state, "
              "r.step, r.stability, r.difficulty, r.due, r.reps, r.lapses FROM revlog r JOIN cards c USING (cid) "
              "ORDER BY c.uid, r.reviewed_at, r.rid",
    "revlog_before": "SELECT c.uid, r.reviewed_at, b.step, b.stability, b.difficulty, b.due, b.last_review, b.reps, "
                     "b.lapses FROM revlog_before b JOIN revlog r USING (rid) JOIN cards c USING (cid) "
                     "ORDER BY c.uid, r.reviewed_at, r.rid",
    "card_actions": "SELECT c.uid, a.at, a.action, a.detail, a.before, a.after FROM card_actions a "
                    "JOIN cards c USING (cid) ORDER BY c.uid, a.aid",
}


def store_rows(store: Store) -> dict[str, list]:
    return {name: [list(row) for row in store.conn.execute(sql)] for name, sql in TABLES.items()}


def test_an_import_writes_the_golden_yaml_and_rows(tmp_path):
    pytest.importorskip("anki.collection")
    package = golden_package(tmp_path)
    out = tmp_path / "decks"
    store = Store.open(tmp_path / "srs.db")
    try:
        import_package(package, out, store=store)
        rows = json.loads(json.dumps(store_rows(store)))
    finally:
        store.close()
    written = {p.relative_to(tmp_path).as_posix(): p.read_bytes()
               for p in sorted([*out.rglob("*.yaml"), *(tmp_path / "quizzes").rglob("*.yaml")])}
    if os.environ.get("SRS_REGENERATE_GOLDEN") == "1":
        for name, data in written.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
        (GOLDEN / "rows.json").write_text(json.dumps(rows, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in sorted(GOLDEN.rglob("*.yaml"))}
    assert sorted(written) == sorted(expected)
    for name, data in written.items():
        assert data == expected[name], name
    golden_rows = json.loads((GOLDEN / "rows.json").read_text(encoding="utf-8"))
    for table in TABLES:
        assert rows[table] == golden_rows[table], table
    assert len(rows["revlog"]) > 50 and len(rows["items"]) > 150
