"""Turn a raw webhook body into JSON values: one object, an array, or JSON Lines."""

from __future__ import annotations

import json
from typing import Any

from core.events import FieldProblem


class BodyError(ValueError):
    """The body is not JSON, JSON array, or JSON Lines; ``problems`` says where."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def parse_body(body: bytes, content_type: str | None) -> tuple[list[Any], bool]:
    """The events in ``body`` and whether it was a single object (not a batch)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BodyError(
            [FieldProblem(field="(body)", message=f"not UTF-8 at byte {err.start}")]
        ) from err
    if not text.strip():
        raise BodyError([FieldProblem(field="(body)", message="empty body: expected events")])
    jsonl = bool(content_type) and any(
        t in (content_type or "") for t in ("ndjson", "jsonl", "json-seq", "jsonlines")
    )
    if not jsonl:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            if err.msg != "Extra data":
                raise BodyError(
                    [
                        FieldProblem(
                            field="(body)",
                            message=f"malformed JSON: {err.msg} at line {err.lineno} "
                            f"column {err.colno}",
                        )
                    ]
                ) from err
            jsonl = True  # several JSON values in a row: read it as JSON Lines
        else:
            if isinstance(value, list):
                if not value:
                    raise BodyError([FieldProblem(field="(body)", message="empty event array")])
                return value, False
            if isinstance(value, dict):
                return [value], True
            raise BodyError(
                [
                    FieldProblem(
                        field="(body)",
                        message=f"expected an event object or an array, got {type(value).__name__}",
                    )
                ]
            )
    items: list[Any] = []
    problems = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as err:
            problems.append(
                FieldProblem(
                    field=f"line {lineno}",
                    message=f"malformed JSON: {err.msg} at column {err.colno}",
                )
            )
    if problems:
        raise BodyError(problems)
    return items, False
