"""`srs demo`: a small text-to-image diffusion model that illustrates the diffusion course's cards.

Importing this package (or its command, `srs.commands.demo`) must not import torch or diffusers: every other srs
command would pay seconds of start-up for them. The modules that need them import them at the top and
are themselves imported only inside functions.
"""
