"""The bundled course (decks/ and quizzes/): what it keeps from the lessons, what it corrects, and its pictures.

The lessons it is written from are described in docs/course.md, which maps every lesson item to its card.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from srs.cardview import build_view
from srs.deck import load_paths
from srs.demo.cards import plan_for
from srs.demo.vocab import check_prompt
from srs.export.print_cards import print_cards

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def course():
    result = load_paths([REPO / "decks", REPO / "quizzes"])
    assert result.errors == []
    return {item.id: item for item in result.items()}


# The practice page's ten flashcards and six self-checks, word for word (the seed items that are cards).
PRACTICE_FRONTS = {
    "practice.forward-direction": "What happens in the forward direction of diffusion?",
    "practice.reverse-task": "What is the network trained to do in the reverse direction?",
    "practice.perfect-targets": "Why do we have perfect training answers for the denoiser?",
    "practice.generate-new-image": "How does a trained diffusion model generate a brand-new image?",
    "practice.small-steps": "Why many small denoising steps instead of one big jump?",
    "practice.vae-gan-contrast": "How does diffusion differ from a VAE and a GAN in how it generates?",
    "practice.why-slow": "Why are diffusion models often slow?",
    "practice.prompt-steers": "How does a text prompt steer a diffusion model?",
    "practice.confident-impossible": "Why can a diffusion model confidently produce something physically impossible?",
    "practice.why-denoising-creates": "What is the one-line intuition for why denoising can create?",
}
SELF_CHECK_QUESTIONS = {
    "self-check.forward-no-learning": "What happens in the forward direction of diffusion, and why does it need "
    "no learning?",
    "self-check.reverse-task": "What single task is the network trained to do in the reverse direction, and why "
    "do we have perfect answers to train against?",
    "self-check.generate": "Once the denoiser is trained, how do you generate a brand-new image?",
    "self-check.small-steps": "Why creep along in many small steps instead of denoising the static into a "
    "finished image in one jump?",
    "self-check.text-prompt": "How does a text prompt fit into the process?",
    "self-check.extra-finger": "Why can a diffusion model confidently render something physically impossible, "
    "like an extra finger?",
}
# Every other lesson item the course keeps, under the id learners already have history on.
KEPT = [
    "exercise.order-stages", "exercise.predict-three-things", "quick-check.core-idea", "ko.l02-summary",
    "ko.l04-summary", "lesson-ex.l02-visualizer", "lesson-ex.l04-unconditional-prior",
    "intro.noise", "intro.not-retrieval", "intro.sampling", "intro.more-steps", "intro.conditioning",
    "intro.why-images", "intro.limits-why", "intro.speed-tradeoff", "l02.why-start-from-noise",
    "l02.sculptor-analogy", "l02.early-steps", "l02.middle-steps", "l02.late-steps", "l02.fifty-step-phases",
    "l04.new-images", "l04.jigsaw-analogy", "l04.different-noise", "l04.unconditional",
    "l04.text-biases-trajectory", "l04.text-encoder", "l04.cross-attention", "l04.flux-language",
]
# Items merged into the one card that asks the same thing, or split into one card per member.
RETIRED = {
    "intro.forward-diffusion": "practice.forward-direction",
    "l02.forward-process": "practice.forward-direction",
    "l02.cloze-directions": "practice.forward-direction",
    "intro.learned-task": "practice.reverse-task",
    "l02.per-step-prediction": "practice.reverse-task",
    "intro.reverse-diffusion": "practice.generate-new-image",
    "l02.reverse-process": "practice.generate-new-image",
    "intro.third-idea": "practice.generate-new-image",
    "intro.cloze-core-idea": "practice.generate-new-image",
    "intro.cloze-sampling": "intro.more-steps",
    "intro.prompt-not-pixels": "l04.text-biases-trajectory",
    "l04.step-question": "practice.prompt-steers",
    "intro.limits-list": "intro.limit-text",
    "intro.cloze-limits": "intro.limits-why",
    "l02.key-takeaways": "practice.generate-new-image",
    "l04.key-takeaways": "l04.new-images",
    "l02.cloze-early-late": "l02.early-steps",
    "l02.cloze-sculptor": "l02.sculptor-analogy",
    "l04.cloze-distribution": "l04.new-images",
    "l04.cloze-different-noise": "l04.different-noise",
    "l04.cloze-encoding": "l04.text-encoder",
    "ko.l02-summary-cloze": "ko.l02-summary",
    "ko.l04-summary-cloze": "ko.l04-summary",
}


def test_the_practice_flashcards_are_kept_word_for_word(course):
    assert {i: course[i].body.front for i in PRACTICE_FRONTS} == PRACTICE_FRONTS


def test_the_self_checks_are_kept_word_for_word(course):
    assert {i: course[i].body.question for i in SELF_CHECK_QUESTIONS} == SELF_CHECK_QUESTIONS


def test_kept_items_keep_their_ids(course):
    assert [i for i in KEPT if i not in course] == []


def test_merged_and_split_items_are_gone_and_their_successors_are_there(course):
    assert [i for i in RETIRED if i in course] == []
    assert [s for s in RETIRED.values() if s not in course] == []


def test_the_list_of_limits_is_one_card_per_limit(course):
    limits = sorted(i for i in course if i.startswith("intro.limit-"))
    assert limits == ["intro.limit-complex-prompts", "intro.limit-counts", "intro.limit-identity",
                      "intro.limit-spatial", "intro.limit-text"]


@pytest.mark.parametrize("item_id, simplified", [
    ("self-check.forward-no-learning", "small, even increments"),
    ("l02.sculptor-analogy", "any image can be reached from any noise sample"),
    ("l02.fifty-step-phases", "overlap"),
    ("l04.flux-language", "FLUX.1 uses T5-XXL and CLIP"),
    ("l04.joint-attention", "cross-attention"),
    ("ko.l04-summary", "joint attention"),
    ("practice.reverse-task", "predict the noise"),
])
def test_a_corrected_card_says_in_its_extra_what_the_lesson_simplified(course, item_id, simplified):
    assert simplified in course[item_id].body.extra


def test_the_corrected_claims_are_gone_from_the_answers(course):
    forward = course["self-check.forward-no-learning"].body.answer
    assert "even increments" not in forward
    assert "any image" not in course["l02.sculptor-analogy"].body.back
    assert "Mistral Small 3.1 in FLUX.2" in " ".join(course["l04.flux-language"].body.back.split())
    more_steps = course["quick-check.more-steps"].body.explanation
    assert "big circle at 5 steps" in " ".join(more_steps.split())


def test_the_deck_beyond_the_lessons_names_its_sources(course):
    beyond = load_paths([REPO / "decks" / "beyond.yaml"]).decks[0]
    for source in ("Ho, Jain and Abbeel 2020", "Song, Meng and Ermon 2021", "Ho and Salimans 2022",
                   "Rombach et al.", "Lin, Liu, Li and Yang 2024"):
        assert source in " ".join(beyond.description.split())
    topics = {tag for item in beyond.items for tag in item.tags}
    assert {"training", "schedule", "snr", "sampler", "guidance", "latent", "vae", "architecture",
            "distillation"} <= topics


def test_no_two_cards_share_a_picture(course):
    plans = {}
    for item in course.values():
        if item.illustrate is not None:
            plan = plan_for(item)
            check_prompt(plan.prompt)  # the bundled model knows every word of it
            plans.setdefault((plan.show, plan.prompt, plan.seed), []).append(item.id)
    assert [ids for ids in plans.values() if len(ids) > 1] == []


def test_guidance_pictures_go_only_to_guidance_cards(course):
    guided = sorted(i.id for i in course.values() if i.illustrate is not None and i.illustrate.show == "guidance")
    assert guided == ["beyond.cfg-formula", "beyond.cfg-scale-one", "beyond.cfg-tradeoff"]


def test_an_extra_is_shown_after_the_answer_in_review_and_in_print(course):
    item = course["l02.sculptor-analogy"]
    record = SimpleNamespace(kind="flashcard", content=item.body.model_dump(mode="json"))
    view = build_view(SimpleNamespace(ord=1), record, "Deck")
    assert view.back == item.body.back + "\n\n" + item.body.extra
    deck = SimpleNamespace(id="d", title="Deck", path=str(REPO / "decks" / "lesson-02.yaml"), items=[item])
    [card] = print_cards([deck])
    assert "deterministic sampler such as DDIM" in " ".join(block.text() for block in card.back)


def test_an_extra_goes_to_the_back_of_the_anki_note(course):
    from srs.export.anki_notes import Media, note_for

    note = note_for(course["l04.flux-language"], REPO / "decks", Media())
    front, back = note.fields[0], note.fields[1]
    assert "Mistral Small 3.1 in FLUX.2" in " ".join(back.split())
    assert '<div class="extra">' in back and "FLUX.1 uses T5-XXL and CLIP" in " ".join(back.split())
    assert "extra" not in front
    plain = note_for(course["intro.noise"], REPO / "decks", Media())
    assert '<div class="extra">' not in plain.fields[1]
