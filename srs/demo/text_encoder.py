"""The tiny text encoder whose output the UNet's cross-attention reads.

A ModelMixin + ConfigMixin so diffusers saves and loads it like any pipeline component. The word list
lives in its config, so the weights and the vocabulary they were trained with cannot drift apart.
"""

from __future__ import annotations

import torch
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from srs.demo.vocab import MAX_TOKENS, default_words, token_ids


class ShapesTextEncoder(ModelMixin, ConfigMixin):
    @register_to_config
    def __init__(
        self,
        words: list[str] | None = None,
        max_tokens: int = MAX_TOKENS,
        hidden_size: int = 64,
        num_layers: int = 2,
        num_heads: int = 4,
    ):
        super().__init__()
        words = list(words or default_words())
        self.register_to_config(words=words)
        self.token_embedding = nn.Embedding(len(words), hidden_size)
        self.position_embedding = nn.Parameter(torch.zeros(max_tokens, hidden_size))
        layer = nn.TransformerEncoderLayer(
            hidden_size, num_heads, dim_feedforward=2 * hidden_size, dropout=0.0, batch_first=True, norm_first=True
        )
        # Attention lets a word read its neighbours: "white" before "circle" is the shape's colour,
        # after "on a" it is the background's.
        self.layers = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.final_norm = nn.LayerNorm(hidden_size)
        nn.init.normal_(self.position_embedding, std=0.02)

    def tokenize(self, prompts: list[str]) -> torch.Tensor:
        """Token ids, (batch, max_tokens); raises UserError on a word outside the vocabulary."""
        ids = [token_ids(p, self.config.words, self.config.max_tokens) for p in prompts]
        return torch.tensor(ids, dtype=torch.long, device=self.device)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(batch, max_tokens, hidden_size) states; padding is attended too, it is where "no word" lives."""
        states = self.token_embedding(input_ids) + self.position_embedding[: input_ids.shape[1]]
        return self.final_norm(self.layers(states))

    def encode(self, prompts: list[str]) -> torch.Tensor:
        return self(self.tokenize(prompts))
