"""`srs demo [TARGET...]` draws each card's illustration; `srs demo train` retrains the bundled model.

A thin shell over srs.demo (cards to plans, plans to pictures, training) and srs.ui.picture (pictures in
the terminal).

`demo` is a click group whose parse step sends anything but `train` to its default command, so targets
and the subcommand share one argument space (a deck called `train` is reached as ./train.yaml).
torch and diffusers are imported inside the commands: `srs --help` must not pay for them.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import click

from srs.demo.cards import SHOWS, require_demo_extra
from srs.errors import UserError
from srs.ui.console import echo, view_console

DEFAULT_OUT = Path("srs-demo")


class DemoGroup(click.Group):
    """`srs demo train ...` runs `train`; every other argument list goes to `cards`."""

    default_command = "cards"

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "[TARGET...] [OPTIONS]  |  train [OPTIONS]")

    def format_options(self, ctx, formatter):
        # `srs demo --help` is where a learner looks for --steps and --seed: list the default command's.
        default = self.commands[self.default_command]
        default.format_options(click.Context(default, info_name=self.default_command, parent=ctx), formatter)
        self.format_commands(ctx, formatter)


@click.group(cls=DemoGroup)
def demo():
    """Illustrate the diffusion course's cards with a real diffusion model.

    TARGETs are deck files or folders, deck ids or item ids (default: every card of the decks). Each
    card gets the picture its `illustrate:` field names (forward, reverse, steps, seeds, prompt,
    guidance, schedule), else one chosen from its tags.
    """


@demo.command("cards")
@click.argument("targets", nargs=-1)
@click.option("--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
              help="Deck files or folders to look targets up in (default: SRS_DECKS, ./decks, or the course).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Folder for one PNG per card.")
@click.option("--steps", type=click.IntRange(1, 1000), help="Denoising steps (default 25).")
@click.option("--seed", type=click.IntRange(min=0), help="Starting noise; the same seed gives the same picture.")
@click.option("--prompt", help="Draw this instead of the card's prompt.")
@click.option("--show", type=click.Choice(SHOWS),
              help="Draw this illustration for every card instead of the card's own.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--model", type=click.Path(path_type=Path),
              help="A diffusers text-to-image pipeline folder (e.g. Stable Diffusion) instead of the bundled model.")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), help="Where rendered pictures are kept.")
@click.option("--threads", type=click.IntRange(min=1),
              help="CPU threads for torch (default: 1 for the bundled model, which more threads only slow "
              "down; torch's default for --model).")
def cards(targets, deck_paths, out, steps, seed, prompt, show, device, model, cache_dir, threads):
    """Draw the illustration of each card in TARGETS, write it to --out and show it here."""
    from srs.demo.cards import plan_for, resolve_items

    chosen, diagnostics = resolve_items(targets, deck_paths)
    for diagnostic in diagnostics:
        echo(str(diagnostic), err=True)
    plans = [(item, plan_for(item, prompt=prompt, seed=seed)) for item in chosen]
    if show:
        plans = [(item, replace(plan, show=show)) for item, plan in plans]
    if model is None:  # reject unknown words before paying for torch
        from srs.demo.vocab import check_prompt

        for _, plan in plans:
            check_prompt(plan.prompt)
    require_demo_extra()

    from rich.text import Text

    from srs.demo.models import load_sampler
    from srs.demo.render import render_plan, safe_name

    console = view_console()
    progress = StepProgress(view_console(stderr=True))
    sampler = load_sampler(model, device, threads)  # checks the folder; torch loads on the first miss
    _writable_folder(out, "write the pictures")  # before the drawing
    for item, plan in plans:
        console.print(Text.assemble((item.id, "bold"), "  ", (f"{plan.show} · \"{plan.prompt}\" · seed {plan.seed} · "
                                                             f"{sampler.name}", "dim")), soft_wrap=True)
        png = render_plan(plan, sampler, getattr(item, "content_hash", ""), steps=steps, cache_dir=cache_dir,
                          progress=progress)
        target = out / f"{safe_name(item.id)}.png"
        shutil.copyfile(png, target)
        show_png(console, png)
        console.print(Text(f"→ {target}", style="dim"))


def _writable_folder(out: Path, what: str) -> None:
    """Make the folder `out` (as needed) and make sure a file can be written in it; else one line."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / ".write-test").touch()
        (out / ".write-test").unlink()
    except OSError as exc:
        raise UserError(f"cannot {what} to {out}: {exc.strerror or exc}; choose another --out") from None


@demo.command("train")
@click.option("--steps", type=click.IntRange(min=1), help="Optimizer steps (default: the bundled recipe's).")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True),
              help="Stop after this long; the learning rate then follows the clock (the run is no longer "
              "reproducible step for step).")
@click.option("--batch-size", type=click.IntRange(min=1))
@click.option("--learning-rate", type=float)
@click.option("--warmup-steps", type=click.IntRange(min=1), help="Default: a twentieth of --steps, at most 500.")
@click.option("--prediction", "prediction_type", type=click.Choice(["v_prediction", "epsilon"]),
              default="v_prediction", show_default=True,
              help="What the UNet learns: v on a zero-terminal-SNR schedule, or the noise.")
@click.option("--offset-noise", type=float, help="Per-channel constant added to the noise (0 turns it off).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same weights (on the CPU).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads for torch (default: all).")
@click.option("--init-from", type=click.Path(path_type=Path, file_okay=False),
              help="Go on training a saved pipeline instead of starting from random weights.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Where to save the pipeline (default: demo-model in srs's data folder; the bundled "
              "weights are rebuilt with --out srs/demo/weights).")
@click.option("--checkpoint-every", type=click.IntRange(min=0), default=100, show_default=True,
              help="Save the weights every this many steps (0: only at the end); Ctrl-C also saves.")
@click.option("--log-every", type=click.IntRange(min=1), default=50, show_default=True,
              help="When the output is not a terminal, one line per this many steps.")
def train_command(steps, minutes, batch_size, learning_rate, warmup_steps, prediction_type, offset_noise, seed,
                  device, threads, init_from, out, checkpoint_every, log_every):
    """Train the bundled shapes model on freshly drawn shapes, with a progress bar (log lines when piped)."""
    require_demo_extra()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from srs.demo.train import TrainConfig, train
    from srs.paths import default_trained_model_path

    config = TrainConfig(seed=seed, device=device, threads=threads, prediction_type=prediction_type,
                         minutes=minutes, init_from=str(init_from) if init_from else None)
    if minutes and steps is None:
        steps = 10**7  # the clock ends the run
    for name, value in (("steps", steps), ("batch_size", batch_size), ("learning_rate", learning_rate),
                        ("offset_noise", offset_noise), ("warmup_steps", warmup_steps)):
        if value is not None:
            setattr(config, name, value)
    out = out or default_trained_model_path()
    _writable_folder(out, "save the model")  # find out now, not after hours of training
    if init_from is not None and not (init_from / "model_index.json").is_file():
        raise UserError(f"--init-from {init_from}: not a saved pipeline (no model_index.json)")
    console = view_console()
    columns = [TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
               TimeRemainingColumn()]
    started = time.perf_counter()
    total = None if minutes else config.steps
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("train", total=total, loss="…")

        def on_step(step, loss):
            bar.update(task, completed=step + 1, loss=f"{loss:.4f}")
            if not console.is_terminal and ((step + 1) % log_every == 0 or step + 1 == config.steps):
                echo(f"step {step + 1}{'' if minutes else f'/{config.steps}'}  loss {loss:.4f}  "
                           f"{time.perf_counter() - started:.0f} s")

        try:
            result = train(config, out, on_step=on_step, checkpoint_every=checkpoint_every)
        except KeyboardInterrupt:
            saved = (f"the weights so far are saved in {out}" if (out / "model_index.json").is_file()
                     else "nothing saved")
            echo(f"interrupted: {saved}", err=True)
            raise SystemExit(130) from None
    echo(f"saved {result.out_dir}: {result.parameters:,} parameters, {result.steps} steps, "
               f"final loss {result.final_loss:.4f}, {result.seconds:.0f} s")
    echo(f"draw with it: srs demo --model {result.out_dir}")


def show_png(console, png: Path) -> None:
    """The picture's rows of frames, their captions and its note, as the PNG stored them."""
    from PIL import Image

    from srs.demo.render import read_note, read_rows
    from srs.ui.picture import Picture

    with Image.open(png) as image:
        console.print(Picture(image.convert("RGB"), read_rows(png), read_note(png)))


class StepProgress:
    """A bar over one sampling run's denoising steps, then a line with the time each step took."""

    def __init__(self, console):
        self.console = console

    def start(self, label: str, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.label, self.total, self.done = label, total, 0
        self.bar = Progress(TextColumn(f"  {label}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[per_step]}"), console=self.console, transient=True,
                            disable=not self.console.is_terminal)  # a log gets the summary line alone
        self.task = self.bar.add_task(label, total=total, per_step="")
        self.bar.start()
        self.started = time.perf_counter()

    def advance(self) -> None:
        self.done += 1
        per_step = (time.perf_counter() - self.started) / self.done
        self.bar.update(self.task, advance=1, per_step=f"{per_step * 1000:.0f} ms/step")

    def finish(self) -> None:
        self.bar.stop()
        seconds = time.perf_counter() - self.started
        per_step = seconds / max(1, self.done)
        self.console.print(f"  [dim]{self.label}: {self.done} step{'s' if self.done != 1 else ''} in {seconds:.2f} s "
                           f"({per_step * 1000:.0f} ms/step)[/]")
