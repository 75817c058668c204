"""A diffusers pipeline folder, checked without torch: every way `--model DIR` can be wrong is one line.

`model_index.json` names the pipeline class and, for each component (unet, vae, scheduler, ...), the
library and class that load it from the subfolder of the same name.
"""

from __future__ import annotations

import json
from pathlib import Path

from srs.errors import UserError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def read_model_index(folder: Path, shown: str | None = None) -> dict:
    """The folder's model_index.json, after checking that the folder, the file and each component it
    lists are there. `shown` is how the user wrote the folder (None: the bundled weights)."""
    where = shown if shown is not None else str(folder)
    if shown is None and not (folder / "model_index.json").is_file():
        raise UserError(f"no bundled weights in {folder}; run `srs demo train --out {folder}` to make them")
    if not folder.exists():
        raise UserError(f"--model {where}: no such folder")
    if not folder.is_dir():
        raise UserError(f"--model {where}: not a folder")
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise UserError(f"{where} is not a diffusers pipeline folder (no model_index.json)")
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {index_path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{index_path} is not text (UTF-8 JSON expected)") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{index_path} is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(index, dict) or not isinstance(index.get("_class_name"), str):
        raise UserError(f"{index_path} names no pipeline class (\"_class_name\")")
    for name, value in index.items():
        if name.startswith("_") or not (isinstance(value, list) and len(value) == 2 and all(value)):
            continue  # settings, and optional components saved as [null, null]
        part = folder / name
        if not part.is_dir():
            raise UserError(f"{where}: model_index.json lists the component '{name}' but there is no {name}/ folder")
        if not any(part.iterdir()):
            raise UserError(f"{where}: the component folder {name}/ is empty")
    return index
