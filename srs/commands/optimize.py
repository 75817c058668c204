"""`srs optimize` (fit FSRS to your history, save it, reschedule) and `srs evaluate` (how well it predicts)."""

from __future__ import annotations

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync

DAYS_HELP = (
    "How days between reviews are counted: 'elapsed' whole 24-hour periods (as the py-fsrs scheduler "
    "does; default) or 'learner' days starting at 4 a.m. (as Anki does)."
)


def _console(stderr: bool = False):
    from srs.ui.console import view_console

    return view_console(stderr=stderr)


def deck_scope(ws, names: tuple[str, ...]) -> list[str] | None:
    """None for the whole log; else the named decks, which may include imported ones without a file."""
    if not names:
        return None
    return ws.select_decks(names, among=ws.history_deck_ids())


@click.command()
@click.argument("decks", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--retention", is_flag=True, help="Also find the desired retention that minimises workload.")
@click.option("--days", "counting", type=click.Choice(["elapsed", "learner"]), default="elapsed", help=DAYS_HELP)
@click.option("--dry-run", is_flag=True, help="Fit and report, but save nothing.")
@learning_options
def optimize(decks, as_json, retention, counting, dry_run, db_path, deck_paths, now):
    """Fit the 21 FSRS-6 parameters to your review log and schedule with them from now on.

    Reports log loss and RMSE(bins) of the default and the fitted parameters, in-sample and
    out-of-sample (fitted on the earlier 80% of the history, scored on the later 20%). With DECKS the
    parameters are fitted to those decks' reviews and saved for them alone; otherwise for all decks.
    Existing cards are rescheduled from their logs with the new parameters.
    """
    from srs.optimizer.personalize import optimize as run_optimize

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    scope = deck_scope(ws, decks)
    from srs.clock import to_epoch
    from srs.store.backup import backup_before

    result = run_optimize(ws.store, scope, counting=counting, save=not dry_run, retention=retention,
                          now=to_epoch(ws.clock()) if retention else None,
                          before_saving=lambda: backup_before(ws.store.conn, ws.store.path, "reschedule"))
    if as_json:
        echo_json(result.to_dict())
        return
    print_optimize(_console(), result, dry_run)


def print_optimize(console, result, dry_run: bool = False) -> None:
    from srs.clock import from_epoch, learner_date

    where = f"deck{'s' * (len(result.decks) > 1)} {', '.join(result.decks)}" if result.decks else "all decks"
    console.print(
        f"Review log of {where}: {result.reviews:,} reviews of {result.cards:,} cards, "
        f"{result.scored:,} of them a day or more after the card's previous review (scored)."
    )
    if result.problem:
        console.print(f"[yellow]{result.problem[0].upper() + result.problem[1:]}.[/] Kept the default parameters.")
        if result.in_sample and result.in_sample.defaults:
            d = result.in_sample.defaults
            console.print(f"Defaults on this log: log loss {d.log_loss:.4f}, RMSE(bins) {d.rmse_bins:.4f}.")
        return
    console.print(f"Fitted FSRS-6 with fsrs-rs in {result.fit_seconds:.3f} s.")
    rows = [(f"In-sample ({result.in_sample.scored:,} reviews)", result.in_sample)]
    if result.out_of_sample:
        rows.append((f"Out-of-sample ({result.out_of_sample.scored:,} reviews)", result.out_of_sample))
    console.print(metrics_table(rows))
    if result.out_of_sample:
        split = learner_date(from_epoch(result.split_at)).isoformat()
        console.print(
            f"[dim]Out-of-sample: fitted to the reviews before {split}, scored on the "
            f"{result.out_of_sample.scored:,} scored reviews from then on.[/]"
        )
    console.print("[dim]Lower is better. Recency-weighted, as fsrs-rs's evaluate computes them; --json adds the "
                  "unweighted figures.[/]")
    if result.kept_reason:
        console.print(f"[yellow]{result.kept_reason[0].upper() + result.kept_reason[1:]}.[/]")
    elif dry_run:
        console.print("Dry run: nothing was saved.")
    elif result.saved:
        scope = f"for {', '.join(result.decks)}" if result.decks else "for all decks"
        console.print(
            f"Saved the fitted parameters {scope} and rescheduled {result.rescheduled:,} "
            f"card{'s' * (result.rescheduled != 1)} from their logs."
        )
    if result.optimal_retention is not None:
        console.print(
            f"Desired retention that minimises workload: [bold]{result.optimal_retention:.2f}[/] "
            "(your cards simulated over a year, as Anki does; searched between 0.70 and 0.95; set it as "
            "`desired_retention` in a deck's options)."
        )


def metrics_table(rows):
    from rich.table import Table

    table = Table(show_edge=False, box=None, pad_edge=False)
    table.add_column("")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE(bins)", justify="right")
    for title, comparison in rows:
        table.add_row(f"[bold]{title}[/]", "", "")
        named = [("defaults", comparison.defaults)]
        if comparison.current:
            named.append(("saved before", comparison.current))
        named.append(("fitted", comparison.fitted))
        for name, metrics in named:
            if metrics is None:
                table.add_row(f"  {name}", "-", "-")
            else:
                table.add_row(f"  {name}", f"{metrics.log_loss:.4f}", f"{metrics.rmse_bins:.4f}")
    return table


@click.command()
@click.argument("decks", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--days", "counting", type=click.Choice(["elapsed", "learner"]), default="elapsed", help=DAYS_HELP)
@learning_options
def evaluate(decks, as_json, counting, db_path, deck_paths, now):
    """How well the FSRS parameters in use predict your reviews: log loss, RMSE(bins), calibration."""
    from srs.optimizer.personalize import evaluate as run_evaluate

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    result = run_evaluate(ws.store, deck_scope(ws, decks), counting=counting)
    if as_json:
        echo_json(result.to_dict())
        return
    print_evaluate(_console(), result)


def print_evaluate(console, result) -> None:
    from rich.table import Table

    console.print(f"{result.reviews:,} reviews, {result.scored:,} of them scored (a day or more after the previous).")
    if not result.scored:
        console.print("Nothing to evaluate yet: review cards on several days first.")
        return
    fitted = {deck for deck, params in result.parameters_in_use.items() if params}
    if not fitted:
        in_use = "the defaults"
    elif len(fitted) == len(result.parameters_in_use):
        in_use = "fitted parameters"
    else:
        in_use = f"fitted parameters for {len(fitted)} of {len(result.parameters_in_use)} decks, defaults elsewhere"
    table = Table(show_edge=False, box=None, pad_edge=False)
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE(bins)", justify="right")
    table.add_row(f"in use ({in_use})", f"{result.in_use.log_loss:.4f}", f"{result.in_use.rmse_bins:.4f}")
    table.add_row("defaults", f"{result.defaults.log_loss:.4f}", f"{result.defaults.rmse_bins:.4f}")
    console.print(table)
    console.print()
    console.print(calibration_table(result.calibration))
    console.print("[dim]Bar: share of reviews recalled; | marks the mean predicted recall.[/]")


def calibration_table(bins, width: int = 30):
    from rich.table import Table

    table = Table(title="Calibration: predicted against actual recall", show_edge=False, box=None, pad_edge=False)
    table.add_column("predicted", justify="right")
    table.add_column("reviews", justify="right")
    table.add_column("mean pred.", justify="right")
    table.add_column("actual", justify="right")
    table.add_column("")
    for b in bins:
        table.add_row(
            f"{b.low * 100:.0f}-{b.high * 100:.0f}%", f"{b.reviews:,}", f"{b.predicted * 100:.1f}%",
            f"{b.actual * 100:.1f}%", calibration_bar(b.predicted, b.actual, width),
        )
    return table


def calibration_bar(predicted: float, actual: float, width: int = 30):
    """`width` cells: filled up to the actual recall, with `|` at the predicted recall."""
    from rich.text import Text

    filled = round(actual * width)
    mark = min(round(predicted * width), width - 1)
    text = Text()
    for i in range(width):
        if i == mark:
            text.append("|", style="bold yellow")
        elif i < filled:
            text.append("█", style="green" if abs(actual - predicted) < 0.05 else "red")
        else:
            text.append("·", style="dim")
    return text
