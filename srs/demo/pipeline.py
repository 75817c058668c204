"""`ShapesPipeline`: the bundled text-to-image pipeline, a pixel-space UNet read by a tiny text encoder.

It speaks the same call convention as diffusers' text-to-image pipelines (prompt, num_inference_steps,
guidance_scale, generator, output_type, callback_on_step_end), so the illustrations drive it and a
Stable Diffusion checkpoint the same way. There is no VAE: the "latents" are the pixels, in [-1, 1].
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers import DDIMScheduler, DiffusionPipeline, ImagePipelineOutput, UNet2DConditionModel
from diffusers.utils.torch_utils import randn_tensor

from srs.demo.pipeline_folder import WEIGHTS_DIR
from srs.demo.text_encoder import ShapesTextEncoder

__all__ = ["WEIGHTS_DIR", "ShapesPipeline", "new_pipeline", "new_scheduler", "load_bundled"]


class ShapesPipeline(DiffusionPipeline):
    model_cpu_offload_seq = "text_encoder->unet"
    _callback_tensor_inputs = ["latents"]

    def __init__(self, unet: UNet2DConditionModel, text_encoder: ShapesTextEncoder, scheduler: DDIMScheduler):
        super().__init__()
        self.register_modules(unet=unet, text_encoder=text_encoder, scheduler=scheduler)

    @property
    def words(self) -> list[str]:
        return list(self.text_encoder.config.words)

    @torch.no_grad()
    def __call__(
        self,
        prompt: str | list[str] = "",
        num_inference_steps: int = 25,
        guidance_scale: float = 3.0,
        generator: torch.Generator | None = None,
        latents: torch.Tensor | None = None,
        num_images_per_prompt: int = 1,
        output_type: str = "pil",
        return_dict: bool = True,
        callback_on_step_end=None,
        callback_on_step_end_tensor_inputs: tuple[str, ...] | list[str] = ("latents",),
        guidance_rescale: float | None = None,
    ):
        """Classifier-free guidance as eps_uncond + scale * (eps_cond - eps_uncond): unlike diffusers'
        own pipelines, scale 0 is the unconditional prior and 1 the plain conditional model.

        guidance_rescale (Lin et al. 2024, section 3.4) pulls a strongly guided prediction's spread back
        towards the conditional one's, so that high scales exaggerate the prompt without blowing out its
        colours; None means 0.7 for a v-prediction model and 0 (off) for a noise-predicting one."""
        if guidance_rescale is None:
            guidance_rescale = 0.7 if self.scheduler.config.prediction_type == "v_prediction" else 0.0
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        prompts = [p for p in prompts for _ in range(num_images_per_prompt)]
        n = len(prompts)
        device = self._execution_device
        context = self._context(prompts, guidance_scale)

        size = self.unet.config.sample_size
        shape = (n, self.unet.config.in_channels, size, size)
        if latents is None:
            # Noise is drawn where the generator lives (the CPU by default), so a seed gives the same
            # starting static on every device.
            latents = randn_tensor(shape, generator=generator, device=device, dtype=self.unet.dtype)
        latents = latents.to(device) * self.scheduler.init_noise_sigma

        self.scheduler.set_timesteps(num_inference_steps, device=device)
        step_options = consistent_clipping(self.scheduler)
        for i, t in enumerate(self.progress_bar(self.scheduler.timesteps)):
            noise = self._predict_noise(latents, t, context, guidance_scale, guidance_rescale)
            latents = self.scheduler.step(noise, t, latents, generator=generator, **step_options).prev_sample
            if callback_on_step_end is not None:
                given = {"latents": latents}
                returned = callback_on_step_end(self, i, t, {k: given[k] for k in callback_on_step_end_tensor_inputs})
                latents = (returned or {}).get("latents", latents)

        images = self.to_images(latents, output_type)
        return ImagePipelineOutput(images=images) if return_dict else (images,)

    def _context(self, prompts: list[str], guidance_scale: float) -> torch.Tensor:
        """Text states for the UNet: unconditional ones first when guidance needs both halves."""
        if guidance_scale == 0:
            return self.text_encoder.encode([""] * len(prompts))
        cond = self.text_encoder.encode(prompts)
        if guidance_scale == 1:
            return cond
        return torch.cat([self.text_encoder.encode([""] * len(prompts)), cond])

    def _predict_noise(self, latents, t, context, guidance_scale, guidance_rescale=0.0):
        """The model's output (the noise or v, as the scheduler's prediction_type says), guided."""
        guided = context.shape[0] != latents.shape[0]
        model_input = torch.cat([latents, latents]) if guided else latents
        model_input = self.scheduler.scale_model_input(model_input, t)
        noise = self.unet(model_input, t, encoder_hidden_states=context).sample
        if not guided:
            return noise
        uncond, cond = noise.chunk(2)
        guided_noise = uncond + guidance_scale * (cond - uncond)
        if guidance_rescale > 0 and guidance_scale > 1:
            dims = list(range(1, cond.ndim))
            rescaled = guided_noise * (cond.std(dim=dims, keepdim=True) / guided_noise.std(dim=dims, keepdim=True))
            guided_noise = guidance_rescale * rescaled + (1 - guidance_rescale) * guided_noise
        return guided_noise

    @staticmethod
    def to_images(latents: torch.Tensor, output_type: str = "pil"):
        """Model space [-1, 1] to images: "pt" (n, 3, H, W), "np" (n, H, W, 3) in [0, 1], or PIL."""
        images = (latents / 2 + 0.5).clamp(0, 1)
        if output_type == "pt":
            return images
        array = images.permute(0, 2, 3, 1).float().cpu().numpy()
        if output_type == "np":
            return array
        from PIL import Image

        return [Image.fromarray(np.round(a * 255).astype(np.uint8)) for a in array]


def consistent_clipping(scheduler) -> dict:
    """The options that make a clipping scheduler step from the clipped guess of the picture alone.

    DDIM with clip_sample clamps its guess of the clean picture (x0) to [-1, 1] but, by default, keeps
    the noise it derived from the unclipped guess, so each step mixes two pictures that disagree by
    whatever was clipped. A guided guess overshoots the pixel range (guidance extrapolates away from the
    unconditional colour), and over many small steps the disagreement adds up: measured on the bundled
    weights, 12 prompts x 2 seeds at guidance 3, 50 steps drew colour 0.875 and shape 0.79 against 1.0 at
    5 steps; with the noise re-derived from the clipped guess (GLIDE's choice, diffusers'
    use_clipped_model_output) 50 steps draw 1.0 and 1.0."""
    import inspect

    clips = getattr(scheduler.config, "clip_sample", False) or getattr(scheduler.config, "thresholding", False)
    # The class's step: srs.demo.models.Sampler wraps the instance's to watch the steps go by.
    if clips and "use_clipped_model_output" in inspect.signature(type(scheduler).step).parameters:
        return {"use_clipped_model_output": True}
    return {}


def new_scheduler(prediction_type: str = "v_prediction", zero_snr: bool = True) -> DDIMScheduler:
    """The cosine schedule suits 32x32 pixels (Nichol & Dhariwal 2021); "trailing" spacing makes even a
    single step start from t=999, i.e. from pure static, as the `steps` illustration needs.

    Zero terminal SNR with v-prediction (Lin et al. 2024): at t=999 no trace of the image is left, so
    sampling starts where training ended; a noise-predicting model cannot say anything there (its
    guess of the image divides by sqrt(alpha_bar) = 0) and never learns the image's mean brightness,
    which is why an epsilon model draws every background mid-grey."""
    return DDIMScheduler(
        num_train_timesteps=1000,
        beta_schedule="squaredcos_cap_v2",
        prediction_type=prediction_type,
        rescale_betas_zero_snr=zero_snr,
        clip_sample=True,
        set_alpha_to_one=True,
        timestep_spacing="trailing",
    )


def new_pipeline(image_size: int = 32, scheduler: DDIMScheduler | None = None) -> ShapesPipeline:
    """A randomly initialised pipeline of the bundled size (1.7M parameters); seed torch first."""
    text_encoder = ShapesTextEncoder()
    unet = UNet2DConditionModel(
        sample_size=image_size,
        in_channels=3,
        out_channels=3,
        block_out_channels=(32, 64, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        layers_per_block=1,
        cross_attention_dim=text_encoder.config.hidden_size,
        attention_head_dim=8,
        norm_num_groups=16,
    )
    return ShapesPipeline(unet=unet, text_encoder=text_encoder, scheduler=scheduler or new_scheduler())


def load_bundled(device: str = "cpu") -> ShapesPipeline:
    from srs.errors import UserError

    if not (WEIGHTS_DIR / "model_index.json").is_file():
        raise UserError(f"no bundled weights in {WEIGHTS_DIR}; run `srs demo train` to make them")
    pipe = ShapesPipeline.from_pretrained(WEIGHTS_DIR)
    return pipe.to(device)
