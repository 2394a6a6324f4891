"""Load the decision engine's rules from YAML, naming file, line and field on any error.

    rules = load_rules("finance")            # a bundled preset (config/rules/<name>.yaml)
    rules = load_rules("/etc/baton/rules.yaml")
    engine = load_engine("e-commerce")       # rules + the bundled text models

A rules file is a partial :class:`core.rules.Rules`: what it names replaces the built-in
default (mappings merge key by key, lists replace). ``extends: <preset or path>`` first
applies another file. Every problem is reported as ``file:line: field: problem``, all of
them at once, and raised as :class:`RulesError` (a ``ConfigError``) at start-up.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from config.yamlfile import deep_merge
from core.engine import Engine
from core.errors import ConfigError
from core.rules import Rules

PRESETS = ("default", "finance", "e-commerce", "telecom")

Marks = dict[tuple[str | int, ...], tuple[str, int]]


class RulesError(ConfigError):
    """A rules file is invalid; ``problems`` holds one ``file:line: field: problem`` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid rules:\n  " + "\n  ".join(problems))


def preset_path(name: str) -> Path:
    return Path(str(resources.files("config").joinpath("rules", f"{name}.yaml")))


def _resolve(ref: str | Path, base: Path | None) -> Path:
    text = str(ref)
    if text in PRESETS:
        return preset_path(text)
    path = Path(text)
    if not path.is_absolute() and base is not None:
        path = base.parent / path
    return path


def _to_python(node: yaml.Node, name: str, path: tuple[str | int, ...], marks: Marks) -> Any:
    marks[path] = (name, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            marks[(*path, key)] = (name, key_node.start_mark.line + 1)
            out[key] = _to_python(value_node, name, (*path, key), marks)
            marks[(*path, key)] = (name, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, name, (*path, i), marks) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _read(path: Path, marks: Marks, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    name = str(path)
    if path in seen:
        raise RulesError([f"{name}:1: extends: circular ({' -> '.join(map(str, seen))})"])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RulesError([f"{name}: cannot read: {err.strerror or err}"]) from err
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else 0
        raise RulesError([f"{name}:{line}: (yaml): {err.problem or err}"]) from err
    own: Marks = {}
    data = _to_python(node, name, (), own) if node is not None else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulesError([f"{name}:1: (file): a rules file is a mapping of settings"])
    base: dict[str, Any] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str):
            line = own.get(("extends",), (name, 1))[1]
            raise RulesError([f"{name}:{line}: extends: a preset name or a file path"])
        base = _read(_resolve(parent, path), marks, (*seen, path))
    marks.update(own)
    return deep_merge(base, data)


def _where(loc: tuple[str | int, ...], marks: Marks, fallback: str) -> tuple[str, int]:
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return fallback, marks.get((), (fallback, 1))[1] if marks else 1


_DOTTED = re.compile(r"^([A-Za-z_][\w.-]*): (.*)$", re.DOTALL)


def _problems(err: ValidationError, marks: Marks, fallback: str) -> list[str]:
    out = []
    errors = err.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in errors]
    for e in errors:
        loc = tuple(e["loc"])
        if any(other != loc and other[: len(loc)] == loc for other in locs):
            continue  # a container failing because one of its items failed: say it once
        message = e["msg"].removeprefix("Value error, ")
        dotted = _DOTTED.match(message)
        # a whole-file check (unknown concept, language...) names its field in the message
        if dotted and (not loc or len(loc) == 1):
            loc = tuple(int(p) if p.isdigit() else p for p in dotted.group(1).split("."))
            message = dotted.group(2)
        name, line = _where(loc, marks, fallback)
        field = ".".join(str(p) for p in loc) or "(file)"
        out.append(f"{name}:{line}: {field}: {message}")
    return out


def load_rules(source: str | Path | None = None) -> Rules:
    """Rules from a preset name or a YAML file (``None``: the ``default`` preset)."""
    path = _resolve(source if source is not None else "default", None)
    marks: Marks = {}
    data = _read(path, marks)
    merged = deep_merge(Rules().model_dump(mode="json", by_alias=True), data)
    try:
        rules = Rules.model_validate(merged)
    except ValidationError as err:
        raise RulesError(_problems(err, marks, str(path))) from err
    hours = rules.business_hours
    if hours is not None:
        try:
            ZoneInfo(hours.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            name, line = _where(("business_hours", "timezone"), marks, str(path))
            raise RulesError(
                [f"{name}:{line}: business_hours.timezone: unknown time zone {hours.timezone!r}"]
            ) from err
    return rules


def load_engine(source: str | Path | None = None, models: str | None = None) -> Engine:
    """An engine with the given rules (default preset) and the bundled text models."""
    from config.models import load_models

    return Engine(load_rules(source), load_models(models))
