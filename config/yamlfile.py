"""Load a YAML file into a pydantic model, naming file, line and field on every error.

Shared by every configuration file Baton reads (daemon settings, rules, CRM mappings)::

    settings = load_yaml_model(Path("baton.yaml"), BatonSettings)
    # ConfigError: baton.yaml:12: workers.count: Input should be greater than or equal to 1
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that also records where each mapping key and value starts."""


def read_yaml(path: Path) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """The file's data and a map from each value's path to its 1-based line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from err
    try:
        root = yaml.compose(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: malformed YAML: {err.problem}") from err
    lines: dict[tuple[str | int, ...], int] = {}
    if root is None:
        return None, lines
    _index(root, (), lines)
    data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    return data, lines


def _index(
    node: yaml.Node, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _index(value_node, (*path, key), lines)
            # The key's own line, not its value's: that is where an admin looks.
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def line_of(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> int | None:
    """The line of ``loc``, or of its nearest ancestor present in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def describe_errors(
    path: Path, err: ValidationError, lines: dict[tuple[str | int, ...], int]
) -> str:
    """One ``file:line: field: problem`` line per validation error."""
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = line_of(lines, loc)
        where = f"{path}:{line}" if line else str(path)
        out.append(f"{where}: {field}: {e['msg']}")
    return "\n".join(out)


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Validate ``path`` against ``model``; raise :class:`ConfigError` naming file/line/field."""
    data, lines = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(describe_errors(path, err, lines)) from err


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` laid on top; nested mappings merge key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
