"""`srs optimize` and `srs evaluate` on synthetic learners: what is saved, when, and what it changes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs.cli import cli
from srs.optimizer.personalize import optimize
from srs.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_log, write_csv  # noqa: E402

DECK = "title: Sim\nid: sim\nitems:\n" + "".join(f"  - q: Question {n}\n    a: Answer {n}\n" for n in range(3))


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "sim.yaml").write_text(DECK)
    env = {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "COLUMNS": "100"}
    return tmp_path, env


def run(env, *args):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def import_synthetic(tmp_path, env, cards, reviews, seed=1, deck=None):
    path = tmp_path / f"log-{seed}.csv"
    write_csv(path, synthetic_log(cards, reviews, seed=seed))
    run(env, "import", "revlog", str(path), *(["--deck", deck] if deck else []))


def test_too_little_history_keeps_the_defaults_and_says_so(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=20, reviews=5)
    out = run(env, "optimize").stdout
    assert "Too little history to fit" in out and "Kept the default parameters" in out
    report = json.loads(run(env, "optimize", "--json").stdout)
    assert report["problem"] and not report["saved"] and report["parameters"] is None
    assert report["in_sample"]["defaults"]["reviews"] > 0
    store = Store.open(tmp_path / "srs.db")
    assert store.setting("fsrs_parameters") is None


def test_fit_saves_globally_and_reschedules_in_one_go(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    store = Store.open(tmp_path / "srs.db")
    before = {
        c: (s, d) for c, s, d in store.conn.execute("SELECT cid, stability, difficulty FROM cards WHERE reps > 0")
    }
    store.close()
    report = json.loads(run(env, "optimize", "--json").stdout)
    assert report["problem"] is None
    ins = report["in_sample"]
    # The learner forgets faster than the defaults assume: the fit sees it.
    assert ins["fitted"]["log_loss"] < ins["defaults"]["log_loss"]
    assert report["out_of_sample"]["scored_reviews"] > 0 and report["split_at"]
    assert report["saved_keys"] == ["fsrs_parameters"] and report["rescheduled_cards"] == 250
    store = Store.open(tmp_path / "srs.db")
    assert len(store.setting("fsrs_parameters")) == 21
    after = {
        c: (s, d) for c, s, d in store.conn.execute("SELECT cid, stability, difficulty FROM cards WHERE reps > 0")
    }
    assert set(after) == set(before)
    assert sum(after[c] != before[c] for c in after) > 200
    # The log is history: it keeps each state as it was when the answer was given, as Anki's revlog does.
    cid = next(iter(after))
    last = store.revlog_for(cid)[-1]
    assert last.after["stability"] == before[cid][0] != store.card(cid).stability


def test_undo_after_rescheduling_puts_back_the_rescheduled_state(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    run(env, "optimize")
    store = Store.open(tmp_path / "srs.db")
    cid, last = store.conn.execute("SELECT cid, reviewed_at FROM revlog ORDER BY rid DESC LIMIT 1").fetchone()
    rescheduled = store.card(cid).memory()
    from srs.clock import from_epoch
    from srs.session import Session

    Session(store, [], lambda: from_epoch(last + 86_400)).answer(store.card(cid), 3)
    store.undo_last()
    assert store.card(cid).memory() == rescheduled
    assert store.undo_last() is None  # the imported reviews are not the learner's to undo


def test_naming_a_deck_fits_and_saves_for_that_deck_alone(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6, seed=1, deck="learner-a")
    import_synthetic(tmp_path, env, cards=30, reviews=3, seed=2, deck="learner-b")
    report = json.loads(run(env, "optimize", "learner-a", "--json").stdout)
    assert report["decks"] == ["learner-a"] and report["saved_keys"] == ["fsrs_parameters:learner-a"]
    assert report["cards"] == 250 and report["rescheduled_cards"] == 250
    store = Store.open(tmp_path / "srs.db")
    assert store.setting("fsrs_parameters") is None
    assert len(store.setting("fsrs_parameters:learner-a")) == 21
    from srs.session import scheduler_settings

    assert scheduler_settings(store, "learner-a").parameters is not None
    assert scheduler_settings(store, "learner-b").parameters is None


def test_an_unknown_deck_names_the_nearest(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=20, reviews=3, deck="learner-a")
    result = CliRunner().invoke(cli, ["optimize", "learner-aa"], env=env)
    assert result.exit_code == 1
    assert "did you mean 'learner-a'" in result.output


def test_dry_run_saves_nothing(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    out = run(env, "optimize", "--dry-run").stdout
    assert "Dry run: nothing was saved" in out
    assert Store.open(tmp_path / "srs.db").setting("fsrs_parameters") is None


def test_evaluate_reports_the_parameters_in_use_with_a_calibration_chart(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    first = json.loads(run(env, "evaluate", "--json").stdout)
    assert first["parameters_in_use"] == {"imported-revlog": "defaults"}
    assert first["in_use"] == first["defaults"]
    run(env, "optimize")
    second = json.loads(run(env, "evaluate", "--json").stdout)
    assert second["in_use"]["log_loss"] < second["defaults"]["log_loss"]
    assert sum(b["reviews"] for b in second["calibration"]) == second["scored_reviews"]
    chart = run(env, "evaluate").stdout
    assert "Calibration: predicted against actual recall" in chart
    assert "in use (fitted parameters)" in chart


def test_a_reschedule_and_only_a_reschedule_is_preceded_by_a_backup(workspace):
    from srs.store.backup import backups

    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    run(env, "optimize", "--dry-run")
    assert [b.reason for b in backups(tmp_path / "srs.db")].count("before-reschedule") == 0
    store = Store.open(tmp_path / "srs.db")
    cards_before = store.conn.execute("SELECT * FROM cards ORDER BY cid").fetchall()
    store.close()
    assert json.loads(run(env, "optimize", "--json").stdout)["saved"]
    (backup,) = [b.path for b in backups(tmp_path / "srs.db") if b.reason == "before-reschedule"]
    copy = Store.open(backup)
    assert copy.conn.execute("SELECT * FROM cards ORDER BY cid").fetchall() == cards_before
    copy.close()


def test_learner_day_counting_is_an_option(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    report = json.loads(run(env, "optimize", "--days", "learner", "--dry-run", "--json").stdout)
    assert report["day_counting"] == "learner" and report["parameters"]


@pytest.mark.slow
def test_retention_that_minimises_workload(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    store = Store.open(tmp_path / "srs.db")
    result = optimize(store, None, save=False, retention=True)
    assert 0.7 <= result.optimal_retention <= 0.95
    out = run(env, "optimize", "--retention", "--dry-run").stdout
    assert "Desired retention that minimises workload" in out


def test_a_second_fit_that_is_no_better_keeps_what_was_saved(workspace):
    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    first = json.loads(run(env, "optimize", "--json").stdout)
    second = json.loads(run(env, "optimize", "--json").stdout)
    assert first["saved"] and not second["saved"]
    assert "current" in second["in_sample"]
    assert "kept the parameters saved before" in second["kept_reason"]


def test_fitting_never_imports_torch(workspace):
    import subprocess

    tmp_path, env = workspace
    import_synthetic(tmp_path, env, cards=250, reviews=6)
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from srs.cli import cli\n"
        f"for args in (['optimize'], ['evaluate']):\n"
        f"    result = CliRunner().invoke(cli, args, env={env!r})\n"
        "    assert result.exit_code == 0, result.output\n"
        "assert not any(m == 'torch' or m.startswith('torch.') for m in sys.modules), 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
