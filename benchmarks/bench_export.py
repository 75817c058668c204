"""Export at scale: 10,000 items to an Anki package, 1,000 cards to a PDF.

Prints each figure beside a baseline measured in the same run (these machines are noisy; ratios are not):
- `srs export anki` of 10,000 items (target < 5 s), against genanki alone writing the same notes with
  plain, unrendered fields and no history or media handling;
- `srs export pdf` of 1,000 cards in the grid layout (target < 10 s), against fpdf2 alone writing the same
  texts with its own multi_cell in the same grid, without fitting or markdown.

Loading the YAML decks is timed apart: it is the same for every command.

Run: python benchmarks/bench_export.py [--items 10000] [--cards 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ANKI_TARGET_S = 5.0
PDF_TARGET_S = 10.0


def write_decks(folder: Path, items: int, files: int = 20, seed: int = 7) -> None:
    """A course like the real one: mostly flashcards, some markdown, cloze, choice and ordering items."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    per_file = items // files
    for f in range(files):
        lines = [f"title: Bench::Part {f}", f"id: bench-{f}", "tags: [bench]", "items:"]
        for n in range(per_file):
            kind = rng.random()
            if kind < 0.7:
                lines += [
                    f"  - q: {quoted(f'Question {f}-{n}: what does step {n % 50} of the *reverse* process do?')}",
                    f"    a: {quoted(f'It removes a little noise, then the model runs again ({n}).')}",
                ]
            elif kind < 0.8:
                lines += [
                    f"  - q: 'Why does `denoise({n})` need **many** steps?'",
                    "    a: |-",
                    "      Because one jump is hard:",
                    "",
                    "      - predict the noise",
                    "      - subtract a little of it",
                ]
            elif kind < 0.9:
                lines += [f"  - text: Step {f}-{n} starts from {{{{c1::noise}}}} and ends at {{{{c2::an image}}}}."]
            elif kind < 0.95:
                lines += [
                    f"  - question: Which is true of sample {f}-{n}?",
                    "    options: [It is retrieved, It is denoised from noise, It is copied]",
                    "    correct: b",
                    "    explanation: Generation runs the learned denoiser.",
                ]
            else:
                lines += [
                    f"  - prompt: Order the stages of run {f}-{n}.",
                    "    steps: {a: Denoise again., b: Noise real images., c: Start from static.}",
                    "    answer: [b, c, a]",
                ]
        (folder / f"bench-{f:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load(folder: Path):
    from srs.deck import load_paths

    result = load_paths([folder])
    if result.errors:
        raise SystemExit(f"bench decks have errors: {result.errors[0]}")
    return result.decks


def plain_fields(item) -> list[str]:
    body = item.body
    if item.kind == "flashcard":
        return [body.front, body.back]
    if item.kind == "selfcheck":
        return [body.question, body.answer]
    if item.kind == "cloze":
        return [body.text, body.extra]
    if item.kind == "choice":
        return [body.question, " / ".join(body.options)]
    return [body.prompt, " / ".join(body.steps.values())]


def genanki_alone(decks, out: Path) -> float:
    """The floor: genanki writing the same notes, fields as given, two plain note types."""
    import genanki

    started = time.perf_counter()
    basic = genanki.Model(1607392319, "Plain", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
    cloze = genanki.Model(1607392320, "Plain cloze", fields=[{"name": "Text"}, {"name": "Extra"}],
                          templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
                          model_type=genanki.Model.CLOZE)
    anki_decks = []
    for index, deck in enumerate(decks):
        anki_deck = genanki.Deck(2_000_000_000 + index, deck.title)
        for item in deck.items:
            model = cloze if item.kind == "cloze" else basic
            anki_deck.add_note(genanki.Note(model=model, fields=plain_fields(item), guid=genanki.guid_for(item.id)))
        anki_decks.append(anki_deck)
    genanki.Package(anki_decks).write_to_file(str(out))
    return time.perf_counter() - started


def srs_anki(decks, out: Path) -> float:
    from srs.export.anki import export_anki

    started = time.perf_counter()
    export_anki(decks, out)
    return time.perf_counter() - started


def first_cards(decks, count: int):
    """Decks trimmed so that they hold `count` printed cards (cloze items print one card per deletion)."""
    import copy

    chosen, total = [], 0
    for deck in decks:
        trimmed = copy.copy(deck)
        trimmed.items = []
        for item in deck.items:
            if total >= count:
                break
            trimmed.items.append(item)
            total += len(item.card_ids())
        if trimmed.items:
            chosen.append(trimmed)
        if total >= count:
            break
    return chosen, total


def fpdf_alone(cards, out: Path) -> float:
    """The floor: fpdf2 setting each card's plain text with multi_cell in the same grid, no fitting."""
    from fpdf import FPDF

    from srs import fonts
    from srs.export.pdf import CARD_H, CARD_W, COLS, GUTTER, ROWS

    started = time.perf_counter()
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    fonts.register(pdf, cjk=None)
    pdf.set_font(fonts.SANS, "", 11)
    left, top = (210 - (COLS * CARD_W + GUTTER)) / 2, (297 - (ROWS * CARD_H + 3 * GUTTER)) / 2
    for start in range(0, len(cards), 8):
        for side in ("front", "back"):
            pdf.add_page()
            for index, card in enumerate(cards[start : start + 8]):
                row, col = divmod(index, COLS)
                pdf.set_xy(left + col * (CARD_W + GUTTER) + 4, top + row * (CARD_H + GUTTER) + 8)
                text = " ".join(block.text() for block in getattr(card, side))
                pdf.multi_cell(CARD_W - 8, 5, text)
    pdf.output(str(out))
    return time.perf_counter() - started


def srs_pdf(decks, out: Path) -> float:
    from srs.export.pdf import PdfOptions, export_pdf

    started = time.perf_counter()
    export_pdf(decks, out, PdfOptions(layout="grid"))
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=1_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="srs-bench-export-") as tmp:
        root = Path(tmp)
        write_decks(root / "decks", args.items)
        started = time.perf_counter()
        decks = load(root / "decks")
        load_s = time.perf_counter() - started
        items = sum(len(d.items) for d in decks)

        # Warm imports outside the timings, so each figure is the export itself.
        import fpdf  # noqa: F401
        import genanki  # noqa: F401

        baseline_anki = genanki_alone(decks, root / "plain.apkg")
        anki_s = srs_anki(decks, root / "srs.apkg")

        from srs.export.print_cards import print_cards

        pdf_decks, cards = first_cards(decks, args.cards)
        baseline_pdf = fpdf_alone(print_cards(pdf_decks), root / "plain.pdf")
        pdf_s = srs_pdf(pdf_decks, root / "srs.pdf")

    figures = {
        "items": items,
        "load_s": round(load_s, 3),
        "anki_s": round(anki_s, 3),
        "anki_baseline_genanki_s": round(baseline_anki, 3),
        "anki_ratio": round(anki_s / baseline_anki, 2),
        "anki_target_s": ANKI_TARGET_S,
        "pdf_cards": cards,
        "pdf_s": round(pdf_s, 3),
        "pdf_baseline_fpdf_s": round(baseline_pdf, 3),
        "pdf_ratio": round(pdf_s / baseline_pdf, 2),
        "pdf_target_s": PDF_TARGET_S,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"loading {items} items from YAML: {load_s:.2f} s (not part of the export figures)")
        print(
            f"anki: {items} items in {anki_s:.2f} s (target < {ANKI_TARGET_S:.0f} s); "
            f"genanki alone {baseline_anki:.2f} s; ratio {anki_s / baseline_anki:.2f}x"
        )
        print(
            f"pdf:  {cards} cards in {pdf_s:.2f} s (target < {PDF_TARGET_S:.0f} s); "
            f"fpdf2 multi_cell alone {baseline_pdf:.2f} s; ratio {pdf_s / baseline_pdf:.2f}x"
        )
    ok = anki_s < ANKI_TARGET_S and pdf_s < PDF_TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
