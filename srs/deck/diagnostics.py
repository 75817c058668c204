"""Compiler-style findings about deck files: `file:line:col: severity: message`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from srs.jsontypes import DiagnosticJson

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    severity: Severity
    message: str

    def __str__(self) -> str:  # made inert where it is printed (srs.ui.console)
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def to_dict(self) -> DiagnosticJson:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }
