"""Fixture decks for the export tests: every item kind, markdown, an image, and several scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_helpers import tiny_png

BASICS = """\
title: Diffusion::Basics
id: basics
description: The *core* ideas of lesson 02.
tags: [diffusion]
items:
  - id: forward
    q: What happens in the *forward* direction of diffusion?
    a: Noise is added to a real image **step by step**.
    tags: [forward]
    image: media/red.png
  - id: div-card
    q: What does `<div>` mean? And <b>this</b>?
    a: A block element & more.
  - id: small-steps
    kind: selfcheck
    question: Why creep along in many small steps?
    answer: One jump is a hard prediction; removing a little noise is an easy one.
  - id: stages
    prompt: Put the stages in order.
    steps:
      a: Denoise again.
      b: Noise real images.
      c: Start from static.
    answer: [b, c, a]
    explanation: Wreck images to make training pairs, then denoise repeatedly.
  - id: core-idea
    question: What is the core generation idea behind diffusion models?
    options:
      - Retrieve the closest stored training image.
      - Start from noise and remove it step by step.
    correct: b
    explanation: Generation runs the learned denoiser from pure noise.
  - id: generation
    text: Generation starts from {{c1::pure random noise}} and removes it {{c2::step by step::how}}.
    extra: Each deletion is its own card.
"""

WORLD = """\
title: Languages::World
id: world
tags: [lang]
items:
  - id: korean
    q: 확산 모델은 무엇을 합니까?
    a: 잡음을 조금씩 제거합니다.
  - id: japanese
    q: 拡散モデルは何をしますか？
    a: ノイズを少しずつ取り除きます。
  - id: chinese
    q: 扩散模型做什么？
    a: 一步一步地去除噪声。
  - id: greek
    q: Τι κάνει ένα μοντέλο διάχυσης;
    a: Αφαιρεί τον θόρυβο βήμα προς βήμα.
  - id: accents
    q: Café, naïve, Ångström, œuvre, Dvořák?
    a: Ça marche très bien, señor.
"""


@pytest.fixture
def deck_folder(tmp_path) -> Path:
    folder = tmp_path / "decks"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "red.png").write_bytes(tiny_png())
    (folder / "basics.yaml").write_text(BASICS, encoding="utf-8")
    (folder / "world.yaml").write_text(WORLD, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def private_data_folder(tmp_path, monkeypatch):
    """`srs export anki` reads the default database when one exists: never the real user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("SRS_DB", raising=False)
