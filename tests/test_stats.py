"""`srs stats`: exact figures from a history answered through the session across simulated days.

Every test runs in US Eastern time (a POSIX TZ rule, so no tz database is needed): the learner's day
starts at 4 a.m. local time, and a 2:30 a.m. review counts for the day before.
"""

import io
import json
import time
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest
from click.testing import CliRunner

from srs.achievements import LEVEL_NAMES, Facts, achievements, level_name, progress, xp_for
from srs.cli import cli
from srs.clock import from_epoch, to_epoch
from srs.scheduler import Planner
from srs.session import Session
from srs.stats import compute_stats, forecast, learner_days
from srs.store import Store, log
from srs.sync import sync

EASTERN = "EST5EDT,M3.2.0,M11.1.0"

ALPHA = "title: Alpha\nid: alpha\nitems:\n" + "".join(
    f"  - id: a{n}\n    q: Alpha question {n}?\n    a: Alpha answer {n}\n" for n in range(1, 6)
)
BETA = "title: Beta\nid: beta\nitems:\n" + "".join(
    f"  - id: b{n}\n    q: Beta question {n}?\n    a: Beta answer {n}\n" for n in range(1, 3)
)
QUIZ = """title: Quiz one
id: quiz1
items:
  - id: q1
    question: Which colour is the sky?
    options: [red, blue]
    correct: b
  - id: q2
    question: Which colour is grass?
    options: [green, red]
    correct: a
"""


@pytest.fixture(autouse=True)
def eastern_time(time_zone):
    with time_zone(EASTERN):
        yield


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A local (Eastern) wall-clock time in 2026, as an aware UTC datetime."""
    return datetime(2026, month, day, hour, minute).astimezone().astimezone(timezone.utc)


class Learner:
    def __init__(self, tmp_path):
        (tmp_path / "decks").mkdir()
        (tmp_path / "quizzes").mkdir()
        (tmp_path / "decks" / "alpha.yaml").write_text(ALPHA)
        (tmp_path / "decks" / "beta.yaml").write_text(BETA)
        (tmp_path / "quizzes" / "quiz1.yaml").write_text(QUIZ)
        self.db = tmp_path / "srs.db"
        self.deck_paths = [tmp_path / "decks", tmp_path / "quizzes"]
        self.store = Store.open(self.db)
        self.store.set_setting("fuzz", False)
        report = sync(self.store, self.deck_paths)
        assert not report.diagnostics
        self.deck_ids = report.deck_ids

    def answer(self, uid: str, rating: int, moment: datetime, duration_ms: int | None = None, source="review",
               response: str | None = None):
        session = Session(self.store, self.deck_ids, clock=lambda: moment)
        return session.answer(self.store.find_card(uid), rating, response=response, duration_ms=duration_ms,
                              source=source)

    def stats(self, now: datetime, decks=None):
        return compute_stats(self.store, now, decks or sorted(self.deck_ids), log_decks=decks)

    def cli(self, *args, now: str = "2026-11-09T10:05:00"):
        deck_args = [a for p in self.deck_paths for a in ("--decks", str(p))]
        return CliRunner().invoke(cli, ["stats", *args, "--db", str(self.db), *deck_args, "--now", now])


@pytest.fixture
def learner(tmp_path):
    return Learner(tmp_path)


def play_history(learner: Learner) -> None:
    """Reviews on Nov 1-4, none on Nov 5, then Nov 6, 7 and 8 (the last at 2:30 a.m. on Nov 9)."""
    learner.answer("a1", 4, at(1, 9), 3000)  # new -> review
    learner.answer("a1", 3, at(2, 9), 3000)  # a review-state review, passed
    learner.answer("a2", 3, at(3, 9), 3000)  # new -> learning
    learner.answer("a2", 3, at(4, 9), 3000)  # learning -> review
    learner.answer("a3", 1, at(6, 9), 3000)  # new, Again
    learner.answer("a3", 3, at(7, 9), 3000)
    learner.answer("a3", 3, at(9, 2, 30), 3000)  # 2:30 a.m.: still the learner's Nov 8


def play_today(learner: Learner) -> None:
    learner.answer("a4", 3, at(9, 10, 0), 4000)  # new
    learner.answer("a1", 1, at(9, 10, 1), 6000)  # a review-state review, failed
    learner.answer("b1", 4, at(9, 10, 2), 5000)  # new


# -- streaks and days --------------------------------------------------------------------------------


def test_learner_days_start_at_4am(learner):
    learner.answer("a1", 3, at(3, 3, 59), 1000)
    learner.answer("a2", 3, at(3, 4, 0), 1000)
    days = learner_days(learner.store, at(3, 12))
    assert [d.date for d in days] == [date(2026, 11, 2), date(2026, 11, 3)]
    assert days[1].start == to_epoch(at(3, 4)) and days[1].end == to_epoch(at(4, 4))


def test_streak_counts_yesterday_until_today_has_a_review(learner):
    play_history(learner)
    before = learner.stats(at(9, 9, 0))
    assert before.streak.to_dict() == {"current": 3, "longest": 4, "reviewed_today": False}
    play_today(learner)
    after = learner.stats(at(9, 10, 5))
    assert after.streak.to_dict() == {"current": 4, "longest": 4, "reviewed_today": True}
    # Two days without a review break it.
    assert learner.stats(at(11, 10)).streak.current == 0
    assert learner.stats(at(11, 10)).streak.longest == 4


def test_stats_ignore_reviews_after_now(learner):
    play_history(learner)
    play_today(learner)
    earlier = learner.stats(at(4, 12))
    assert earlier.streak.to_dict() == {"current": 4, "longest": 4, "reviewed_today": True}
    assert earlier.today.reviews == 1
    assert earlier.progress.xp == 35 + 15 + 35 + 15


# -- today -------------------------------------------------------------------------------------------


def test_today_counts(learner):
    play_history(learner)
    play_today(learner)
    today = learner.stats(at(9, 10, 5)).today
    assert today.date == date(2026, 11, 9)
    assert (today.reviews, today.new, today.seconds, today.correct) == (3, 2, 15, 2)
    assert today.accuracy == pytest.approx(2 / 3)
    # Due now, as `srs review` would show it: a4 in learning (due in 10 minutes, within the learn-ahead),
    # a1 relearning (due 10:11), a5, b2, q1 and q2 new; a2 and a3 are reviews due later.
    assert today.due_now == {"learning": 2, "review": 0, "new": 4}


def test_today_with_a_deck_counts_only_its_reviews(learner):
    play_history(learner)
    play_today(learner)
    today = learner.stats(at(9, 10, 5), decks=["beta"]).today
    assert (today.reviews, today.new, today.seconds, today.correct) == (1, 1, 5, 1)
    assert today.due_now == {"learning": 0, "review": 0, "new": 1}


# -- retention ---------------------------------------------------------------------------------------


def test_true_and_predicted_retention_from_the_session(learner):
    play_history(learner)
    play_today(learner)
    retention = learner.stats(at(9, 10, 5)).retention
    # Only a1's reviews on Nov 2 (Good) and today (Again) were of a card in the review state.
    assert (retention.reviews, retention.passed, retention.true) == (2, 1, 0.5)
    rows = [r for r in learner.store.revlog_for(learner.store.find_card("a1").cid) if r.state_before == 2]
    assert len(rows) == 2
    planner = Planner()
    card = learner.store.find_card("a1")
    expected = [
        planner.retrievability(card.with_memory(r.before), from_epoch(r.reviewed_at))
        for r in rows
    ]
    assert retention.predicted == pytest.approx(sum(expected) / 2, rel=1e-12)
    assert 0.5 < retention.predicted < 1


def insert_review(store, cid, deck, moment, rating, state_before=2, before=None, source="review", duration_ms=1000):
    """A log row written straight through the store's log (the card, of deck `deck`, is not changed)."""
    assert store.card(cid).deck_id == deck
    with store.transaction() as conn:
        log.append(conn, cid, to_epoch(moment), rating, {**log.FRESH, **(before or {}), "state": state_before},
                   dict(log.FRESH, state=2), duration_ms=duration_ms, source=source)


def test_retention_window_and_the_forgetting_curve(learner):
    store = learner.store
    cid = store.find_card("a1").cid
    now = at(20, 12)

    def memory(moment, days_ago, stability):
        return {"state": 2, "stability": stability, "last_review": to_epoch(moment) - days_ago * 86400}

    # Reviewed exactly one stability after the last review: FSRS predicts 90% by definition.
    insert_review(store, cid, "alpha", at(20, 9), 3, before=memory(at(20, 9), 10, 10.0))
    # Reviewed the same day as the last review, on Oct 22, the window's first day: 100%.
    insert_review(store, cid, "alpha", at(22, 5, month=10), 1, before=memory(at(22, 5, month=10), 0, 3.0))
    insert_review(store, cid, "alpha", at(22, 3, 59, month=10), 1, before=memory(at(22, 3, month=10), 1, 1.0))  # Oct 21
    insert_review(store, cid, "alpha", at(19, 9), 1, state_before=1, before=memory(at(19, 9), 1, 1.0))  # learning
    insert_review(store, cid, "alpha", at(20, 13), 1, before=memory(at(20, 13), 1, 1.0))  # after now
    retention = learner.stats(now).retention
    assert (retention.reviews, retention.passed) == (2, 1)
    assert retention.predicted == pytest.approx((0.9 + 1.0) / 2, rel=1e-12)
    # The same with fsrs's own Scheduler, for the 90% row.
    card = fsrs.Card(state=fsrs.State.Review, stability=10.0, difficulty=5.0,
                     last_review=at(10, 9), due=at(20, 9))
    assert fsrs.Scheduler().get_card_retrievability(card, at(20, 9)) == pytest.approx(0.9, rel=1e-12)


# -- forecast and decks ------------------------------------------------------------------------------


def test_forecast_buckets_by_learner_day(learner):
    store = learner.store
    now = at(9, 10)

    def set_card(uid, state, due, suspended=0):
        store.update_card(store.find_card(uid).cid, state=state, due=to_epoch(due), stability=5.0, suspended=suspended)

    set_card("a1", 2, at(1, 9))  # overdue: today
    set_card("a2", 1, at(10, 3, 30))  # 3:30 a.m. tomorrow is still the learner's today
    set_card("a3", 2, at(10, 4, 0))  # tomorrow
    set_card("a4", 3, at(22, 12))  # the 14th day
    set_card("a5", 2, at(23, 5))  # beyond the forecast
    set_card("b1", 2, at(9, 12), suspended=1)  # suspended: not counted
    store.update_card(store.find_card("b2").cid, due=to_epoch(at(9, 12)))  # new: not counted
    days = forecast(store, now, sorted(learner.deck_ids))
    assert len(days) == 14
    assert days[0].date == date(2026, 11, 9) and days[13].date == date(2026, 11, 22)
    assert [d.due for d in days] == [2, 1] + [0] * 11 + [1]
    assert [d.due for d in forecast(store, now, ["beta"])] == [0] * 14

    decks = {d.id: d for d in learner.stats(now).deck_stats}
    alpha = decks["alpha"].to_dict()
    assert alpha == {
        "id": "alpha", "title": "Alpha", "cards": 5, "new": 0, "learning": 2, "review": 3, "suspended": 0,
        "due_today": 2, "reviews_30d": 0, "retention": None,
    }
    beta = decks["beta"]
    assert (beta.cards, beta.new, beta.review, beta.suspended, beta.due_today) == (2, 1, 0, 1, 0)
    assert decks["quiz1"].new == 2


def test_deck_table_retention(learner):
    play_history(learner)
    play_today(learner)
    decks = {d.id: d for d in learner.stats(at(9, 10, 5)).deck_stats}
    assert (decks["alpha"].reviews_30d, decks["alpha"].retention) == (2, 0.5)
    assert decks["beta"].retention is None


# -- heatmap -----------------------------------------------------------------------------------------


def test_heatmap_counts_and_levels(learner):
    play_history(learner)
    play_today(learner)
    heatmap = learner.stats(at(9, 10, 5)).heatmap
    assert heatmap.today == date(2026, 11, 9)  # a Monday
    assert heatmap.start == date(2026, 5, 11) and heatmap.start.weekday() == 0
    assert heatmap.counts == {
        date(2026, 11, d): n for d, n in [(1, 1), (2, 1), (3, 1), (4, 1), (6, 1), (7, 1), (8, 1), (9, 3)]
    }
    assert (heatmap.total, heatmap.max) == (10, 3)
    assert [heatmap.level(n) for n in (0, 1, 2, 3)] == [0, 2, 3, 4]
    weeks = heatmap.weeks()
    assert len(weeks) == 27
    assert weeks[-1][0] == date(2026, 11, 9) and weeks[-1][1:] == [None] * 6


def test_heatmap_renders_plain_and_in_colour(learner):
    from rich.console import Console

    from srs.ui.stats import StatsView, heatmap_lines

    play_history(learner)
    play_today(learner)
    data = learner.stats(at(9, 10, 5))
    plain = [line.plain for line in heatmap_lines(data.heatmap, colour=False)]
    assert len(plain) == 9  # months, seven weekdays, legend
    assert plain[0].split() == ["May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert plain[1].startswith("Mon ") and plain[1].rstrip().endswith("▒ █")  # Nov 2 (1 review), Nov 9 (3)
    assert plain[7].startswith("Sun ") and plain[7].rstrip().endswith("▒")  # Nov 8
    assert "Less · ░ ▒ ▓ █ More" in plain[8]
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=100).print(StatsView(data))
    text = out.getvalue()
    assert "■" in text and "\x1b[38;2;57;211;83m" in text  # the busiest day in GitHub's brightest green


# -- XP, levels, achievements ------------------------------------------------------------------------


def test_levels():
    assert progress(0).to_dict() == {
        "xp": 0, "level": 0, "name": "Spark", "level_xp": 0, "next_level_xp": 200, "next_name": "Ember",
        "into_level": 0, "level_span": 200, "title": "Level 0 Spark", "to_next": "0/200 XP to next level",
    }
    assert (progress(199).level, progress(200).level, progress(599).level, progress(600).level) == (0, 1, 1, 2)
    assert progress(650).to_next_text() == "50/600 XP to next level"
    assert progress(1200).title() == "Level 3 Blaze"
    assert progress(2000).title() == "Level 4 Beacon"
    assert level_name(len(LEVEL_NAMES)) == "Galaxy 2"
    assert xp_for(reviews=3, correct=2, new_cards=1) == 30 + 10 + 20


def test_no_history_is_level_0_spark(learner):
    data = learner.stats(at(9, 10))
    assert data.progress.title() == "Level 0 Spark"
    assert data.progress.to_next_text() == "0/200 XP to next level"
    assert (data.earned, len(data.achievements)) == (0, 14)
    assert data.streak.to_dict() == {"current": 0, "longest": 0, "reviewed_today": False}
    assert data.today.accuracy is None and data.retention.true is None and data.retention.predicted is None
    assert data.heatmap.counts == {} and data.heatmap.max == 0


def test_xp_level_and_achievements_from_the_session(learner):
    play_history(learner)
    play_today(learner)
    data = learner.stats(at(9, 10, 5))
    # 5 new cards (a1-a4, b1) of which a3 was rated Again; 10 answers, 8 correct.
    assert data.progress.xp == 10 * 10 + 5 * 8 + 20 * 5 == 240
    assert data.progress.title() == "Level 1 Ember"
    assert data.progress.to_next_text() == "40/400 XP to next level"
    earned = {a.id for a in data.achievements if a.earned}
    assert earned == {"first-review", "reviews-10", "streak-3", "night-owl"}
    by_id = {a.id: a for a in data.achievements}
    assert (by_id["reviews-100"].value, by_id["reviews-100"].goal) == (10, 100)
    assert (by_id["explorer"].value, by_id["new-100"].value, by_id["streak-7"].value) == (2, 5, 4)
    # With a deck chosen, XP and achievements still count every deck.
    assert learner.stats(at(9, 10, 5), decks=["beta"]).progress.xp == 240


def test_early_bird_perfect_quiz_and_explorer(learner):
    play_history(learner)
    learner.answer("a5", 3, at(10, 5, 0))  # 5 a.m.
    learner.answer("b2", 3, at(10, 19, 0))  # a third deck, with the quiz
    learner.answer("q1", 3, at(10, 20, 0), source="quiz")
    learner.answer("q2", 1, at(10, 20, 1), source="quiz")  # one missed: not perfect
    learner.answer("q1", 3, at(11, 20, 0), source="quiz")  # half a quiz: not perfect
    earned = {a.id for a in learner.stats(at(11, 21)).achievements if a.earned}
    assert {"early-bird", "explorer"} <= earned and "perfect-quiz" not in earned
    learner.answer("q2", 4, at(11, 20, 1), source="quiz")
    earned = {a.id for a in learner.stats(at(11, 21)).achievements if a.earned}
    assert "perfect-quiz" in earned


def test_a_wrong_choice_rated_good_earns_no_perfect_quiz(learner):
    learner.answer("q1", 3, at(10, 20, 0), source="quiz", response="a")  # red: wrong, though rated Good
    learner.answer("q2", 3, at(10, 20, 1), source="quiz", response="a")
    earned = {a.id for a in learner.stats(at(10, 21)).achievements if a.earned}
    assert "perfect-quiz" not in earned
    learner.answer("q1", 3, at(11, 20, 0), source="quiz", response="b")  # the next day, both right
    learner.answer("q2", 3, at(11, 20, 1), source="quiz", response="a")
    earned = {a.id for a in learner.stats(at(11, 21)).achievements if a.earned}
    assert "perfect-quiz" in earned


def test_a_quiz_of_self_rated_answers_earns_no_perfect_quiz(learner, tmp_path):
    (tmp_path / "quizzes" / "selfs.yaml").write_text(
        "title: Selfs\nid: selfs\nitems:\n  - question: Why?\n    answer: Because.\n"
        "  - q: What?\n    a: That.\n")
    learner.deck_ids = sync(learner.store, learner.deck_paths).deck_ids
    for n, uid in enumerate(c.uid for c in learner.store.cards(
            [r[0] for r in learner.store.conn.execute("SELECT cid FROM cards WHERE deck_id = 'selfs'")])):
        learner.answer(uid, 4, at(10, 20, n), source="quiz")
    earned = {a.id for a in learner.stats(at(10, 21)).achievements if a.earned}
    assert "perfect-quiz" not in earned


def test_marathon_and_deck_mastered(learner):
    store = learner.store
    cid = store.find_card("b1").cid
    for minute in range(99):
        insert_review(store, cid, "beta", at(5, 12) + timedelta(minutes=minute), 3)
    insert_review(store, cid, "beta", at(6, 4, 0), 3)  # the 100th, but the next learner's day
    facts = {a.id for a in learner.stats(at(6, 12)).achievements if a.earned}
    assert "marathon" not in facts
    insert_review(store, cid, "beta", at(6, 3, 59), 3)
    facts = {a.id for a in learner.stats(at(6, 12)).achievements if a.earned}
    assert "marathon" in facts and "deck-mastered" not in facts

    store.conn.execute("UPDATE cards SET state = 2, stability = 21 WHERE deck_id = 'beta'")
    store.update_card(store.find_card("b2").cid, stability=20.9)
    assert "deck-mastered" not in {a.id for a in learner.stats(at(6, 12)).achievements if a.earned}
    store.update_card(store.find_card("b2").cid, stability=21.0)
    assert "deck-mastered" in {a.id for a in learner.stats(at(6, 12)).achievements if a.earned}


def test_achievement_rules():
    assert [a.id for a in achievements(Facts())] == [
        "first-review", "reviews-10", "reviews-100", "reviews-1000", "new-100", "streak-3", "streak-7",
        "streak-30", "marathon", "perfect-quiz", "deck-mastered", "explorer", "night-owl", "early-bird",
    ]
    earned = {a.id for a in achievements(Facts(reviews=1000, new_cards=100, longest_streak=30)) if a.earned}
    assert earned == {
        "first-review", "reviews-10", "reviews-100", "reviews-1000", "new-100", "streak-3", "streak-7", "streak-30",
    }


# -- the command -------------------------------------------------------------------------------------


def test_cli_json(learner):
    play_history(learner)
    play_today(learner)
    result = learner.cli("--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decks"] == ["alpha", "beta", "quiz1"]
    assert data["today"] == {
        "date": "2026-11-09", "reviews": 3, "new": 2, "seconds": 15, "correct": 2, "accuracy": pytest.approx(2 / 3),
        "due_now": {"learning": 2, "review": 0, "new": 4, "total": 6},
    }
    assert data["streak"] == {"current": 4, "longest": 4, "reviewed_today": True}
    assert data["retention"]["reviews"] == 2 and data["retention"]["true"] == 0.5
    assert [d["date"] for d in data["forecast"]][:2] == ["2026-11-09", "2026-11-10"] and len(data["forecast"]) == 14
    # a1 relearning and a4 learning today; a2 due Nov 11; a3 due Nov 13 at 2:30 a.m., the learner's Nov 12;
    # b1 (Easy when new) due Nov 17.
    assert [d["due"] for d in data["forecast"]] == [2, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert data["heatmap"]["days"]["2026-11-09"] == 3 and data["heatmap"]["total"] == 10
    assert [d["id"] for d in data["deck_stats"]] == ["alpha", "beta", "quiz1"]
    assert data["xp"]["title"] == "Level 1 Ember" and data["xp"]["to_next"] == "40/400 XP to next level"
    assert (data["achievements"]["earned"], data["achievements"]["total"]) == (4, 14)


def test_cli_json_for_one_deck(learner):
    play_history(learner)
    play_today(learner)
    result = learner.cli("beta", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decks"] == ["beta"] and [d["id"] for d in data["deck_stats"]] == ["beta"]
    assert data["today"]["reviews"] == 1 and data["streak"]["current"] == 1
    assert data["xp"]["xp"] == 240


def test_cli_unknown_deck(learner):
    result = learner.cli("alhpa")
    assert result.exit_code == 1
    assert "unknown deck 'alhpa'; did you mean 'alpha'?" in result.stderr


def test_cli_terminal_output(learner):
    play_history(learner)
    play_today(learner)
    result = learner.cli()
    assert result.exit_code == 0, result.output
    assert result.exception is None
    out = result.stdout
    assert "Today  Mon 09 Nov 2026" in out
    assert "3 reviews · 2 new · 0m 15s · accuracy 66.7%" in out
    assert "Streak 4 days (longest 4 days)" in out
    assert "true 50.0%" in out
    assert "Level 1 Ember · 240 XP · 40/400 XP to next level · 4/14 achievements" in out
    lines = out.splitlines()
    rows = [line for line in lines if line[:4] in ("Mon ", "Wed ", "Fri ", "Sun ")]
    assert len(rows) == 4 and all(len(r.rstrip()) >= 4 + 2 * 26 - 1 for r in rows)
    assert any("Less · ░ ▒ ▓ █ More" in line for line in lines)
    assert "✓ Night owl" in out and "· Centurion" in out


def test_cli_empty_history(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "alpha.yaml").write_text(ALPHA)
    args = ["stats", "--db", str(tmp_path / "srs.db"), "--decks", str(tmp_path / "decks"), "--now", "2026-11-09T10:00"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Level 0 Spark · 0 XP · 0/200 XP to next level · 0/14 achievements" in result.stdout
    assert "Streak 0 days" in result.stdout
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert data["xp"]["to_next"] == "0/200 XP to next level"
    assert data["today"]["due_now"] == {"learning": 0, "review": 0, "new": 5, "total": 5}


# -- at scale ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_reviews_stay_fast(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    now = at(23, 10)
    end = to_epoch(now)
    with store.transaction() as conn:
        conn.execute("INSERT INTO decks (id, title, kind, path) VALUES ('big', 'Big', 'deck', 'big.yaml')")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
            "INSERT INTO items (iid, uid, deck_id, kind, content_hash, key_text, content, path, line, idx) "
            "SELECT i, 'i' || i, 'big', 'flashcard', '', '', '{}', 'big.yaml', i, i FROM n"
        )
        conn.execute(
            "INSERT INTO cards (cid, iid, uid, deck_id, idx, state, stability, difficulty, due, last_review, reps) "
            "SELECT iid, iid, uid, 'big', idx, 2, 1 + iid % 300, 5, ? + (iid % 200 - 5) * 86400, ? - 86400, 10 "
            "FROM items",
            [end, end],
        )
        # 1,000,000 reviews over 400 days, in time order as a learner would log them (srs/store/log.py's
        # columns: each row's state before is the card's previous row's state after).
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999) "
            "INSERT INTO revlog (cid, reviewed_at, rating, duration_ms, state_before, state, stability, difficulty, "
            "due, reps, lapses) "
            "SELECT 1 + i % 20000, ? + i * 34, 1 + (i % 7 > 0) * (2 + i % 2), 5000, 2, 2, 1 + i % 50, 5, "
            "? + i * 34 + 86400, i / 20000, 0 FROM n",
            [end - 1_000_000 * 34, end - 1_000_000 * 34],
        )
    store.conn.execute("ANALYZE")
    started = time.perf_counter()
    data = compute_stats(store, now, ["big"])
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    store.conn.execute("SELECT * FROM revlog").fetchall()
    read_all = time.perf_counter() - started
    assert data.progress.xp > 0 and data.streak.longest >= 390
    assert data.retention.reviews > 70_000 and data.retention.predicted is not None
    print(f"stats {elapsed * 1000:.0f} ms; reading every log row {read_all * 1000:.0f} ms")
    assert elapsed < max(2.0, read_all)
