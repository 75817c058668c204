"""The learner's day across DST changes: every instant belongs to exactly one day, which starts the first time
the local clock reads the day-start hour (or, when a DST change skips that hour, the moment the clock jumps
past it). Zones are POSIX TZ rules, so no tz database is needed."""

from __future__ import annotations

import json
import time as time_module
from datetime import datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learn_helpers import flashcards

from srs import clock

BERLIN = "CET-1CEST,M3.5.0,M10.5.0/3"  # 02:00 -> 03:00 on the last Sunday of March, 03:00 -> 02:00 in October
ZONES = [
    BERLIN,
    "EST5EDT,M3.2.0,M11.1.0",  # New York
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",  # Lord Howe: a 30-minute change at 02:00
    "<-04>4<-03>,M9.1.6/24,M4.1.6/24",  # Santiago: midnight skipped in September, repeated in April
    "CST5CDT,M3.2.0/0,M11.1.0/1",  # Havana: midnight skipped in March
    "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",  # Chatham: 02:45 -> 03:45, and back
    "<-01>1<+00>,M3.5.0/0,M10.5.0/0",  # made up: clocks go back exactly at midnight UTC (two steady UTC days meet)
    "UTC0",
]


# the days of 2026 on which the zones above change their clocks, and the moments near them
CHANGES = [datetime(2026, m, d, tzinfo=timezone.utc) for m, d in
           [(3, 8), (3, 29), (4, 4), (4, 5), (9, 5), (9, 6), (9, 27), (10, 4), (10, 25), (11, 1)]]
NEAR_A_CHANGE = st.builds(lambda day, seconds: day + timedelta(seconds=seconds),
                          st.sampled_from(CHANGES), st.integers(-2 * 86400, 2 * 86400))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), hour=st.integers(0, 23), moment=NEAR_A_CHANGE)
def test_every_instant_lies_in_exactly_one_learner_day(time_zone, zone, hour, moment):
    with time_zone(zone):
        saved = clock.DAY_STARTS_AT_HOUR
        clock.set_day_start_hour(hour)
        try:
            start, end, date = clock.day_start(moment), clock.day_end(moment), clock.learner_date(moment)
            assert start <= moment < end
            assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
            assert clock.day_start(start) == start and clock.learner_date(start) == date
            assert clock.day_start(end) == end and clock.learner_date(end) == date + timedelta(days=1)
            before = clock.local(start - timedelta(seconds=1)).replace(tzinfo=None)
            assert before < datetime.combine(date, time(hour))  # the clock had not yet read the day's hour
        finally:
            clock.set_day_start_hour(saved)


def test_a_day_whose_start_hour_dst_skips_begins_when_the_clock_jumps(learner, time_zone):
    """Day start 2 a.m. in Berlin, whose clocks jump from 02:00 to 03:00 on 29 March 2026. 20 new cards answered
    at 01:30 (before the jump) count for Saturday, so Sunday still has its 5 new cards left. The day used to
    start at 01:00, taking them for Sunday's, and `srs stats` looped forever over that day."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 25))
        learner.cli("config", "set", "day_starts_at", "2", TZ=BERLIN)
        for n in range(1, 21):
            result = learner.cli("answer", f"card{n:02d}", "good", now="2026-03-29T00:30:00Z", TZ=BERLIN)
            assert result.exit_code == 0, result.output
        due = learner.cli("due", "--json", now="2026-03-29T10:00:00Z", TZ=BERLIN)
        assert json.loads(due.stdout)["counts"]["new"] == 5
        stats = json.loads(learner.cli("stats", "--json", now="2026-03-29T10:00:00Z", TZ=BERLIN).stdout)
        assert stats["today"]["date"] == "2026-03-29" and stats["today"]["new"] == 0
        assert stats["streak"]["current"] == 1 and not stats["streak"]["reviewed_today"]
        assert [d["date"] for d in stats["forecast"][:2]] == ["2026-03-29", "2026-03-30"]


@pytest.mark.parametrize("answered", [
    "2026-10-24T04:30:00",  # the Saturday before the clocks go back: 24 hours on is 03:30, still Saturday's day
    "2026-03-28T03:30:00",  # Friday's day, before the clocks go forward: 24 hours on is 04:30, Sunday's day
])
def test_an_interval_of_days_counts_learner_days_across_a_dst_change(learner, time_zone, answered):
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 1))
        result = learner.cli("answer", "card01", "easy", "--json", now=answered, TZ=BERLIN)
        answer_at = datetime.fromisoformat(answered).astimezone()
        due = datetime.fromisoformat(json.loads(result.stdout)["due"]).astimezone()
        days = round((due - answer_at) / timedelta(days=1))
        assert days >= 1 and due.time() == answer_at.time()  # the same time of day, `days` days on
        assert clock.learner_date(due) == clock.learner_date(answer_at) + timedelta(days=days)


def test_a_card_rescheduled_for_tomorrow_is_not_due_today(learner, time_zone):
    """Rescheduled 1 day at 04:30 on the Saturday before the clocks go back: due on Sunday, not at 03:30 on
    Sunday morning, which is still Saturday's learner's day."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 1))
        learner.cli("config", "set", "new_per_day", "0", TZ=BERLIN)
        learner.cli("answer", "card01", "easy", now="2026-10-20T12:00:00", TZ=BERLIN)
        learner.cli("card", "reschedule", "1", "card01", now="2026-10-24T04:30:00", TZ=BERLIN)

        def due(now: str) -> list[str]:
            return [c["id"] for c in json.loads(learner.cli("due", "--json", now=now, TZ=BERLIN).stdout)["cards"]]

        assert due("2026-10-24T12:00:00") == [] and due("2026-10-25T03:45:00") == []
        assert due("2026-10-25T04:30:00") == ["card01"]


@pytest.mark.parametrize("moment", ["2026-10-24T04:30:00", "2026-03-28T03:30:00", "2026-10-25T02:30:00"])
def test_the_preview_and_the_answer_agree_across_a_dst_change(tmp_path, time_zone, moment):
    """Planner.outcomes (srs.fsrs_math, what a session records) and Planner.review (py-fsrs) count the same
    learner's days."""
    from srs.scheduler import Planner
    from srs.store import Store
    from srs.sync import sync

    with time_zone(BERLIN):
        (tmp_path / "decks").mkdir()
        (tmp_path / "decks" / "d.yaml").write_text(flashcards("D", 1))
        store = Store.open(tmp_path / "srs.db")
        sync(store, [tmp_path / "decks"])
        now = datetime.fromisoformat(moment).astimezone(timezone.utc)
        card = Planner().review(store.find_card("card01"), 3, now - timedelta(days=3))
        card = Planner().review(card, 3, now - timedelta(days=1))
        outcomes = Planner().outcomes(card, now)
        for rating in (1, 2, 3, 4):
            assert Planner().review(card, rating, now).due == outcomes[rating].due
        store.close()


def test_ahead_counts_learner_days_across_a_dst_change(learner, time_zone):
    """Due at 03:30 on Monday 26 October: Sunday's learner's day, two days after Friday's. Saturday's day lasts 25
    hours (the clocks go back at 03:00 on Sunday), so `--ahead 2` on Friday used to end at 03:00 on Monday, and
    the review's "--ahead N" hint said 3."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 1))
        learner.cli("config", "set", "new_per_day", "0", TZ=BERLIN)
        learner.cli("answer", "card01", "easy", now="2026-10-20T12:00:00", TZ=BERLIN)
        learner.cli("card", "reschedule", "2", "card01", now="2026-10-24T03:30:00", TZ=BERLIN)  # Friday's day
        assert learner.card("card01")["due"] == datetime(2026, 10, 26, 3, 30).astimezone().timestamp()

        def due(*ahead: str) -> list[str]:
            result = learner.cli("due", "--json", *ahead, now="2026-10-23T12:00:00", TZ=BERLIN)
            return [c["id"] for c in json.loads(result.stdout)["cards"]]

        assert due() == [] and due("--ahead", "1") == [] and due("--ahead", "2") == ["card01"]
        from srs.queue import Limits
        from srs.session import Session
        from srs.store import Store

        store = Store.open(learner.db)
        session = Session(store, ["d"], clock=lambda: datetime(2026, 10, 23, 12).astimezone(timezone.utc),
                          limits=Limits(new_per_day=0))
        assert session.next_review_days() == 2
        store.close()


def test_rated_counts_learner_days_across_a_dst_change(learner, time_zone):
    """On Sunday 29 March (the clocks went forward at 02:00, so Saturday's learner's day lasted 23 hours)
    rated:2 is today and Saturday: not the answer at 03:30 on Saturday morning, which was Friday's day."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 2))
        learner.cli("answer", "card01", "good", now="2026-03-28T03:30:00", TZ=BERLIN)
        learner.cli("answer", "card02", "good", now="2026-03-28T04:30:00", TZ=BERLIN)

        def rated(days: int) -> list[str]:
            result = learner.cli("search", "--json", f"rated:{days}", now="2026-03-29T12:00:00", TZ=BERLIN)
            return sorted(row["id"] for row in json.loads(result.stdout))

        assert rated(1) == [] and rated(2) == ["card02"] and rated(3) == ["card01", "card02"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), hour=st.integers(0, 23),
       times=st.lists(NEAR_A_CHANGE, min_size=1, max_size=12).map(sorted))
def test_every_review_is_counted_on_exactly_one_learner_day(tmp_path_factory, time_zone, zone, hour, times):
    """Over any reviews near DST changes, in any zone and with any day start: the learner's days that
    `srs stats` counts (streak, heatmap) are distinct, in order, and hold every review once, on its own day."""
    from srs.session import Session
    from srs.stats import learner_days
    from srs.store import Store
    from srs.sync import sync

    folder = tmp_path_factory.mktemp("learner")
    (folder / "decks").mkdir()
    (folder / "decks" / "d.yaml").write_text(flashcards("D", len(times)))
    with time_zone(zone):
        saved = clock.DAY_STARTS_AT_HOUR
        clock.set_day_start_hour(hour)
        store = Store.open(folder / "srs.db")
        try:
            sync(store, [folder / "decks"])
            for n, moment in enumerate(times, 1):
                Session(store, ["d"], clock=lambda m=moment: m).answer(store.find_card(f"card{n:02d}"), 3)
            days = learner_days(store, times[-1])
            assert [d.date for d in days] == sorted({d.date for d in days})
            for moment in times:
                at = clock.to_epoch(moment)
                holding = [d for d in days if d.start <= at < d.end]
                assert len(holding) == 1 and holding[0].date == clock.learner_date(moment)
        finally:
            store.close()
            clock.set_day_start_hour(saved)


def test_prop_due_counts_learner_days_across_a_dst_change(learner, time_zone):
    """On Saturday 28 March, a review due at 04:30 on Monday (Monday's learner's day) is 2 days away, though
    only 47.5 hours lie between Saturday's start and then (Saturday's day lasts 23 hours). prop:due agrees with
    the forecast of `srs stats`."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 1))
        learner.cli("answer", "card01", "easy", now="2026-03-20T12:00:00", TZ=BERLIN)
        learner.cli("card", "reschedule", "2", "card01", now="2026-03-28T04:30:00", TZ=BERLIN)
        assert learner.card("card01")["due"] == datetime(2026, 3, 30, 4, 30).astimezone().timestamp()

        def found(query: str) -> bool:
            result = learner.cli("search", "--json", query, now="2026-03-28T12:00:00", TZ=BERLIN)
            return [row["id"] for row in json.loads(result.stdout)] == ["card01"]

        assert [q for q in ("prop:due=2", "prop:due>1", "prop:due>=2", "prop:due<3", "prop:due<=2") if found(q)] \
            == ["prop:due=2", "prop:due>1", "prop:due>=2", "prop:due<3", "prop:due<=2"]
        assert not any(found(q) for q in ("prop:due=1", "prop:due<2", "prop:due!=2", "prop:due>2"))
        stats = json.loads(learner.cli("stats", "--json", now="2026-03-28T12:00:00", TZ=BERLIN).stdout)
        assert [day["due"] for day in stats["forecast"][:4]] == [0, 0, 1, 0]


def test_days_ahead_are_counted_from_a_day_start_the_clocks_jumped(learner, time_zone):
    """Day start 2 a.m. in Berlin: Sunday 29 March starts at 03:00, as the clocks jump, and Monday's at 02:00.
    A review due at 02:30 on Monday is Monday's: 2 days after Saturday, not 1 (24 hours after Sunday's start
    is 03:00 on Monday), for `--ahead`, prop:due and the forecast alike."""
    with time_zone(BERLIN):
        learner.write("d.yaml", flashcards("D", 1))
        learner.cli("config", "set", "day_starts_at", "2", TZ=BERLIN)
        learner.cli("config", "set", "new_per_day", "0", TZ=BERLIN)
        learner.cli("answer", "card01", "easy", now="2026-03-20T12:00:00", TZ=BERLIN)
        learner.cli("card", "reschedule", "2", "card01", now="2026-03-28T02:30:00", TZ=BERLIN)
        assert learner.card("card01")["due"] == datetime(2026, 3, 30, 2, 30).astimezone().timestamp()
        now = "2026-03-28T12:00:00"

        def ids(*args: str) -> list[str]:
            rows = json.loads(learner.cli(*args, "--json", now=now, TZ=BERLIN).stdout)
            return [row["id"] for row in (rows["cards"] if isinstance(rows, dict) else rows)]

        assert ids("due", "--ahead", "1") == [] and ids("due", "--ahead", "2") == ["card01"]
        assert ids("search", "prop:due=2") == ["card01"] and ids("search", "prop:due=1") == []
        stats = json.loads(learner.cli("stats", "--json", now=now, TZ=BERLIN).stdout)
        assert [day["due"] for day in stats["forecast"][:4]] == [0, 0, 1, 0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), hour=st.integers(0, 23), moment=NEAR_A_CHANGE, days=st.integers(1, 400))
def test_the_replays_day_offsets_give_what_the_clock_gives(time_zone, zone, hour, moment, days):
    """srs.fsrs_math.DayOffsets (one replay's offsets by UTC day) changes nothing: with it and by
    srs.clock.days_later, an interval lands on the same second, near every DST change of every zone."""
    from srs.clock import to_epoch
    from srs.fsrs_math import DayOffsets, learner_days_later

    with time_zone(zone):
        saved = clock.DAY_STARTS_AT_HOUR
        clock.set_day_start_hour(hour)
        try:
            at = to_epoch(moment)
            offsets = DayOffsets(time_module.tzname)
            expected = to_epoch(clock.days_later(moment, days))
            assert learner_days_later(at, days, offsets) == expected
            back = at - days * 86400  # an answer `days` before: its interval ends near the change
            assert learner_days_later(back, days, offsets) == to_epoch(clock.days_later(clock.from_epoch(back), days))
        finally:
            clock.set_day_start_hour(saved)


def test_a_replayer_notices_the_zone_set_again(time_zone):
    """A Replayer kept across a change of zone (a Planner's, in a long review session) reads the new zone's
    offsets, not the day offsets it cached under the old one."""
    from srs.fsrs_math import FRESH_STATE, Replayer
    from srs.scheduler import Planner

    replayer = Replayer(Planner().scheduler())
    answered = int(datetime(2026, 10, 20, 10, 0, tzinfo=timezone.utc).timestamp())  # Tuesday, midday in both zones
    reviews = [(answered, 3), (answered + 600, 3), (answered + 86400 * 3, 4)]
    with time_zone("UTC0"):
        in_utc = replayer.final(1, reviews, FRESH_STATE)
    with time_zone(BERLIN):
        in_berlin = replayer.final(1, reviews, FRESH_STATE)
        assert in_berlin == Replayer(Planner().scheduler()).final(1, reviews, FRESH_STATE)
    # The last interval spans Berlin's change of 25 October: due at the same local time, an hour later in UTC
    # (with UTC's offsets still cached, the replay took 24-hour steps and agreed with UTC instead).
    assert in_berlin[4] == in_utc[4] + 3600


@pytest.mark.parametrize("zone", ZONES)
def test_the_replays_day_offsets_hold_at_every_twenty_minutes_around_each_change(time_zone, zone):
    """The same as above, swept rather than drawn: every 20 minutes over a day and a half either side of each
    change, answers that start or end an interval there, for day starts at 0, 2 and 4."""
    from srs.clock import from_epoch, to_epoch
    from srs.fsrs_math import DayOffsets, learner_days_later

    saved = clock.DAY_STARTS_AT_HOUR
    with time_zone(zone):
        try:
            for hour in (0, 2, 4):
                clock.set_day_start_hour(hour)
                offsets = DayOffsets(time_module.tzname)
                for change in CHANGES:
                    for step in range(-108, 109):
                        moment = to_epoch(change) + step * 1200
                        for days in (1, 3, 180, 240):  # 240: from one winter to the next season
                            for at in (moment, moment - days * 86400):
                                wanted = to_epoch(clock.days_later(from_epoch(at), days))
                                assert learner_days_later(at, days, offsets) == wanted, (hour, at, days)
        finally:
            clock.set_day_start_hour(saved)
