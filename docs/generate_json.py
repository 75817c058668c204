"""Write docs/json.md, the reference of every `--json` output, from the TypedDicts in srs/jsontypes.py.

Run `python docs/generate_json.py` after changing srs/jsontypes.py; tests/test_readme.py fails while
the file differs from what this generates. A field's description is the comment on its line.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "srs" / "jsontypes.py"
OUTPUT = Path(__file__).resolve().parent / "json.md"


def _comment(lines: list[str], lineno: int) -> str:
    line = lines[lineno - 1]
    return line.split("  # ", 1)[1].strip() if "  # " in line else ""


def _is_typeddict(node: ast.ClassDef, known: set[str]) -> bool:
    return any(isinstance(b, ast.Name) and (b.id == "TypedDict" or b.id in known) for b in node.bases)


def _optional(node: ast.ClassDef) -> bool:
    return any(k.arg == "total" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords)


def reference() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    classes: dict[str, ast.ClassDef] = {}
    aliases: dict[str, tuple[str, str]] = {}
    commands: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and _is_typeddict(node, set(classes)):
            classes[node.name] = node
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "JSON_OUTPUTS":
                continue
            above = lines[node.lineno - 2].lstrip("# ").strip() if lines[node.lineno - 2].startswith("#") else ""
            aliases[name] = (ast.unparse(node.value), above)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "JSON_OUTPUTS":
            assert isinstance(node.value, ast.Dict)
            for key, value in zip(node.value.keys, node.value.values):
                assert isinstance(key, ast.Constant)
                commands.append((str(key.value), ast.unparse(value)))
    names = sorted(set(classes) | set(aliases), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")

    def linked(annotation: str) -> str:
        return pattern.sub(lambda m: f"[{m.group(1)}](#{m.group(1).lower()})", annotation.replace("|", "\\|"))

    def fields(node: ast.ClassDef) -> list[tuple[str, str, bool, str]]:
        out = []
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                out += fields(classes[base.id])
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                annotation = ast.unparse(item.annotation)
                out.append((item.target.id, annotation, _optional(node), _comment(lines, item.lineno)))
        return out

    doc = ast.get_docstring(tree) or ""
    parts = [
        "# JSON outputs",
        "",
        "Generated from srs/jsontypes.py by `python docs/generate_json.py`; do not edit by hand.",
        "",
        doc.split("\n\n")[-1],
        "",
        "| Command | Writes |",
        "| --- | --- |",
    ]
    parts += [f"| `{command} --json` | {linked(annotation)} |" for command, annotation in commands]
    parts.append("")
    for name, (annotation, note) in aliases.items():
        parts += [f"## {name}", "", f"{linked(annotation)}", ""] + ([note, ""] if note else [])
    for name, node in classes.items():
        if name.startswith("_"):
            continue
        parts += [f"## {name}", "", "| Field | Type | Meaning |", "| --- | --- | --- |"]
        for field, annotation, optional, comment in fields(node):
            shown = f"`{field}`" + (" (may be absent)" if optional else "")
            parts.append(f"| {shown} | {linked(annotation)} | {comment.replace('|', '/')} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    OUTPUT.write_text(reference(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
