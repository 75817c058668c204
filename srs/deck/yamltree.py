"""Safe YAML parsing that remembers where every value came from.

PyYAML's `safe_load` throws positions away, and authors need `file:line:col` for every error. So we let
the (C, when available) parser compose a node graph, then build plain Python values from it ourselves,
recording the position of each value and of each mapping key by its path (`("items", 3, "front")`).
Only the safe constructors are used: no YAML tag can run code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C composer is several times faster; fall back where libyaml is missing
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Aliases let a few lines expand into billions of nodes ("billion laughs"). Real decks expand by a small
# factor at most, so anything past this many nodes is refused before it is built.
MAX_EXPANDED_NODES = 1_000_000

Path = tuple  # a path of mapping keys and sequence indices from the document root
Position = tuple[int, int]  # 1-based (line, column)


class YamlProblem(Exception):
    """The text is not usable YAML; carries a 1-based position and an author-facing message."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Document:
    value: Any
    value_at: dict[Path, Position] = field(default_factory=dict)
    key_at: dict[Path, Position] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, Position, Position]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """Where `path` is, falling back to its nearest ancestor that was recorded."""
        table = self.key_at if key else self.value_at
        while path:
            if path in table:
                return table[path]
            if not key and path in self.key_at:
                return self.key_at[path]
            path = path[:-1]
            table = self.value_at
        return self.value_at.get((), (1, 1))


def parse(text: str) -> Document | None:
    """Parse one YAML document; None when it holds nothing. Raises YamlProblem."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _problem_from(exc) from None
    except yaml.YAMLError as exc:  # errors without a mark, e.g. from the reader
        raise YamlProblem(f"YAML: {exc}") from None
    if root is None:
        return None
    size = _expanded_size(root)
    if size > MAX_EXPANDED_NODES:
        line, col = _pos(root)
        raise YamlProblem(
            f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values; "
            "refusing what looks like an alias bomb",
            line,
            col,
        )
    doc = Document(value=None)
    doc.value = _Builder(doc).build(root, ())
    return doc


def _pos(node: Node) -> Position:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _problem_from(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or "").strip()
    if "'\\t'" in problem or "\t" in problem:
        return YamlProblem("tab character: YAML indentation must use spaces, not tabs", line, col)
    context = (exc.context or "").strip()
    message = f"YAML syntax: {problem}" if problem else "YAML syntax error"
    if context and context not in problem:
        message += f" ({context})"
    return YamlProblem(message, line, col)


def _expanded_size(root: Node) -> int:
    """Count the values the graph expands to, without expanding it (memoised over shared nodes)."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        children = (
            [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else node.value
        )
        if children_done:
            in_progress.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
            continue
        if key in in_progress:
            line, col = _pos(node)
            raise YamlProblem("YAML alias refers to itself (a recursive structure)", line, col)
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                line, col = _pos(child)
                raise YamlProblem("YAML alias refers to itself (a recursive structure)", line, col)
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.constructor = SafeConstructor()
        self.scalar_constructors = SafeConstructor.yaml_constructors

    def build(self, node: Node, path: Path) -> Any:
        self.doc.value_at[path] = _pos(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        raise YamlProblem(f"unsupported YAML node {node.tag}", *_pos(node))  # pragma: no cover

    def scalar(self, node: ScalarNode) -> Any:
        construct = self.scalar_constructors.get(node.tag)
        if construct is None:
            raise YamlProblem(f"unsupported YAML tag {node.tag}", *_pos(node))
        try:
            return construct(self.constructor, node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise YamlProblem(f"bad YAML value {node.value!r}: {exc}", *_pos(node)) from None

    def mapping(self, node: MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("YAML merge keys (<<) are not supported in decks", *_pos(key_node))
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("a mapping key must be plain text", *_pos(key_node))
            key = self.scalar(key_node)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            child = path + (key,)
            if key in result:
                self.doc.duplicate_keys.append((child, self.doc.key_at[child], _pos(key_node)))
            self.doc.key_at[child] = _pos(key_node)
            result[key] = self.build(value_node, child)
        return result
