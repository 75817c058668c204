"""Every query's SQL (srs/store/search.py) finds exactly the cards that a plain Python filter of the same
generated collection finds (srs/search/reference.py), and the parser fails only with a QueryError."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from srs.search.query import QueryError, parse
from srs.search.reference import SEPARATOR, Moment, SearchCard, matches
from srs.store import Store, log
from srs.store.search import search_cards

NOW = 1_795_428_000
DAY = 86400
AT = Moment(now=NOW, day_start=NOW - 6 * 3600, day_end=NOW + 18 * 3600, factor=19 / 81, decay=0.5)

VOCAB = ["noise", "Noise", "step", "denoise", "cat", "a", "ab", "50%", "x_y", "Über", "steps by", "NOISY"]
DECKS = ["alpha", "alpha-two", "beta"]
TAGS = ["core", "Extra", "core-2", "Lang::Korean"]  # slugs in their author's case, as decks have them
KINDS = ["flashcard", "cloze", "choice"]

texts = st.lists(st.sampled_from(VOCAB), max_size=4).map(" ".join)


@st.composite
def cards(draw, index: int) -> list[SearchCard]:
    item_uid = f"{draw(st.sampled_from(['it', 'card', 'x']))}{index}"
    deck, kind = draw(st.sampled_from(DECKS)), draw(st.sampled_from(KINDS))
    front, back = draw(texts), draw(texts)
    tags = draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))
    found = []
    for ord_ in range(draw(st.integers(1, 2))):
        state = draw(st.integers(0, 3))
        last = None if state == 0 else NOW - draw(st.integers(0, 60 * DAY))
        due = None if state == 0 else last + draw(st.integers(60, 100 * DAY))
        ratings = [] if state == 0 else draw(
            st.lists(st.tuples(st.integers(NOW - 20 * DAY, NOW), st.integers(1, 4)), max_size=3)
        )
        found.append(SearchCard(
            uid=f"{item_uid}#c{ord_}" if kind == "cloze" else item_uid,
            item_uid=item_uid, deck_id=deck, kind=kind, text=front + SEPARATOR + back, tags=tags, state=state,
            due=due, last_review=last,
            stability=None if state == 0 else draw(st.floats(0.1, 200)),
            lapses=draw(st.integers(0, 5)), reps=draw(st.integers(0, 9)), suspended=draw(st.integers(0, 1)),
            buried_until=draw(st.sampled_from([0, NOW - 10, NOW + 3600])),
            flagged=draw(st.sampled_from([None, "fix"])), leech=draw(st.integers(0, 1)), ratings=ratings,
        ))
        if kind != "cloze":
            break
    return found


@st.composite
def collections(draw) -> list[SearchCard]:
    return [card for n in range(draw(st.integers(0, 12))) for card in draw(cards(n))]


def term():
    word = st.sampled_from(
        ["noise", "NOISE", "nois", "oise", "a", "ab", "step", "cat", "50%", "x_y", "über", "y", "de"]
    )
    return st.one_of(
        word,
        st.sampled_from(['"steps by"', '"noise step"', '"a b"', '"cat noise"', '"step"', '"x y"', '"50"']),
        st.sampled_from(["deck:alpha", "deck:alpha*", "deck:*two", "deck:beta", "deck:gamma"]),
        st.sampled_from(["tag:core", "tag:core*", "tag:CORE-2", "tag:*", "tag:extra", "tag:lang::*"]),
        st.sampled_from([f"kind:{k}" for k in KINDS]),
        st.sampled_from(["id:it1", "id:it*", "id:card2#c1", "id:*1"]),
        st.sampled_from(
            [f"is:{s}" for s in ("new", "due", "learn", "review", "suspended", "buried", "leech", "flagged")]
        ),
        st.builds(lambda p, op, n: f"prop:{p}{op}{n}", st.sampled_from(["ivl", "due", "lapses", "reps"]),
                  st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), st.integers(-3, 40)),
        st.builds(lambda op, n: f"prop:r{op}{n}", st.sampled_from(["<", ">", ">="]),
                  st.sampled_from(["0.5", "0.8", "0.9", "0.95"])),
        st.builds(lambda d, r: f"rated:{d}{r}", st.integers(1, 30), st.sampled_from(["", ":1", ":3"])),
    )


queries = st.recursive(
    term(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} {b}", inner, inner),
        st.builds(lambda a, b: f"{a} or {b}", inner, inner),
        st.builds(lambda a, b: f"{a} and {b}", inner, inner),
        st.builds(lambda a: f"-{a}" if not a.startswith("-") else a, inner),
        st.builds(lambda a: f"({a})", inner),
    ),
    max_leaves=6,
)


def fill(store: Store, collection: list[SearchCard]) -> None:
    conn = store.conn
    conn.execute("DELETE FROM revlog")
    conn.execute("DELETE FROM cards")
    conn.execute("DELETE FROM items")
    iids = {}
    for card in collection:
        if card.item_uid not in iids:
            front, back = card.text.split(SEPARATOR)
            content = json.dumps({"kind": card.kind, "front": front, "back": back})
            iids[card.item_uid] = conn.execute(
                "INSERT INTO items (uid, deck_id, kind, content_hash, key_text, content, tags, path, line, idx) "
                "VALUES (?, ?, ?, '', ?, ?, ?, 'p', 1, ?)",
                [card.item_uid, card.deck_id, card.kind, front, content, json.dumps(card.tags), len(iids)],
            ).lastrowid
        cid = conn.execute(
            "INSERT INTO cards (iid, uid, deck_id, state, due, last_review, stability, lapses, reps, suspended, "
            "buried_until, flagged, leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [iids[card.item_uid], card.uid, card.deck_id, card.state, card.due, card.last_review, card.stability,
             card.lapses, card.reps, card.suspended, card.buried_until, card.flagged, card.leech],
        ).lastrowid
        for reviewed_at, rating in card.ratings:
            log.append(conn, cid, reviewed_at, rating, log.FRESH, log.FRESH)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collection=collections(), query=queries)
def test_sql_finds_what_the_python_filter_finds(collection, query):
    store = Store.open(":memory:")
    try:
        fill(store, collection)
        node = parse(query)
        uids = dict(store.conn.execute("SELECT cid, uid FROM cards").fetchall())
        found = sorted(uids[cid] for cid in search_cards(store.conn, node, AT))
        expected = sorted(card.uid for card in collection if matches(node, card, AT))
        assert found == expected, query
        event("some cards match" if expected else "no card matches")
    finally:
        store.close()


@given(st.lists(st.sampled_from(list('ab :()-"*<>=!.\\1') + ["or", "and", "deck:", "prop:", "is:", "rated:", "kind:"]),
                max_size=20).map("".join))
def test_the_parser_raises_only_query_errors(text):
    try:
        parse(text)
    except QueryError as exc:
        assert 1 <= exc.column <= len(text) + 1


extreme_queries = st.one_of(
    st.integers(0, 3000).map(lambda n: "(" * n + "noise" + ")" * n),  # nesting: no RecursionError
    st.tuples(st.sampled_from(["ivl", "due", "r", "lapses", "reps"]), st.sampled_from(["<", ">=", "!="]),
              st.one_of(st.integers(), st.floats()).map(str)).map(lambda t: "prop:" + "".join(t)),  # no overflow
    st.tuples(st.sampled_from(["tag:", "deck:", "id:", ""]), st.integers(0, 60_000))
    .map(lambda t: t[0] + "a*" * (t[1] // 2)),  # no pattern too long for SQLite's LIKE
)


@settings(max_examples=150, deadline=None)
@given(extreme_queries)
@example("(" * 3000 + "noise" + ")" * 3000)
@example("prop:ivl>99999999999999999999999")
@example("prop:r<nan")
@example("tag:" + "a" * 60_000)
def test_a_query_either_runs_or_is_a_query_error(query):
    try:
        node = parse(query)
    except QueryError as exc:
        assert 1 <= exc.column <= len(query) + 1
        return
    store = Store.open(":memory:")
    try:
        search_cards(store.conn, node, AT)
    finally:
        store.close()


def test_the_index_follows_item_edits():
    store = Store.open(":memory:")
    fill(store, [SearchCard("a", "a", "alpha", "flashcard", "old words" + SEPARATOR + "x", [], 0, None, None, None,
                            0, 0, 0, 0, None, 0)])
    store.conn.execute("""UPDATE items SET content = '{"front": "new words"}'""")
    assert search_cards(store.conn, parse("new"), AT) == [1]
    assert search_cards(store.conn, parse("old"), AT) == []
    store.close()


def test_tags_match_ignoring_case_as_in_anki():
    card = SearchCard("a", "a", "alpha", "flashcard", "words" + SEPARATOR + "x", ["Lang::Korean"], 0, None, None,
                      None, 0, 0, 0, 0, None, 0)
    store = Store.open(":memory:")
    try:
        fill(store, [card])
        for query in ("tag:lang::korean", "tag:LANG::KOREAN", "tag:Lang::*"):
            assert search_cards(store.conn, parse(query), AT) == [1], query
            assert matches(parse(query), card, AT), query
        assert search_cards(store.conn, parse("tag:lang"), AT) == []
    finally:
        store.close()


def test_a_database_from_before_search_is_indexed_when_opened(tmp_path):
    import sqlite3

    from srs.store.schema import MIGRATIONS, _statements

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO items (uid, deck_id, kind, content_hash, key_text, content, path, line, idx) VALUES "
        """('a', 'd', 'flashcard', '', 'k', '{"kind": "flashcard", "front": "Forward diffusion"}', 'p', 1, 0)"""
    )
    conn.execute("INSERT INTO cards (iid, uid, deck_id) VALUES (1, 'a', 'd')")
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert search_cards(store.conn, parse("diffus"), AT) == [1]
    assert search_cards(store.conn, parse("flashcard"), AT) == []  # the kind is not text
    store.close()
