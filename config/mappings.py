"""Load a CRM mapping file, failing with ``file:line: field: problem`` for each problem.

::

    mapping = load_mapping(Path("config/mappings/demo.yaml"))
    # MappingError: demo.yaml:87: fields.4 (renewal_date).transform.type: Input should be
    #               'text', 'enum', ...

Schema errors (pydantic) and cross-references the schema cannot check (a count of a list
that no CRM section defines, a card title naming an unknown field...) are all reported at
once, each at the line of the YAML node it is about. Unknown CRM objects and fields are
checked against the live CRM by ``baton mappings check``, not here (no network at load).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.yamlfile import line_of, read_yaml
from core.crm.mapping import CrmMapping
from core.errors import MappingError

#: the mapping the demo and ``baton mappings`` use by default
DEMO_MAPPING = Path(__file__).parent / "mappings" / "demo.yaml"


def _label(loc: Sequence[str | int], data: Any) -> str:
    """``fields.4 (renewal_date).transform.type``: list items named by their ``name``."""
    parts: list[str] = []
    node = data
    for part in loc:
        text = str(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                text = f"{part} ({node['name']})"
        else:
            node = None
        parts.append(text)
    return ".".join(parts) or "(top level)"


def _where(path: Path, lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> str:
    line = line_of(lines, loc)
    return f"{path}:{line}" if line else str(path)


def _clean(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union/validator tags (``function-after[...]``, ``str``) from a loc."""
    return tuple(
        p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "dict[str,str]")))
    )


def mapping_from_data(data: Any, path: Path, lines: dict[tuple[str | int, ...], int]) -> CrmMapping:
    if data is None:
        raise MappingError(f"{path}:1: the mapping file is empty")
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: expected a mapping (key: value) at the top level")
    try:
        mapping = CrmMapping.model_validate(data)
    except ValidationError as err:
        out = []
        for e in err.errors(include_url=False):
            loc = _clean(tuple(e["loc"]))
            message = str(e["msg"]).removeprefix("Value error, ")
            out.append(f"{_where(path, lines, loc)}: {_label(loc, data)}: {message}")
        raise MappingError("\n".join(dict.fromkeys(out))) from err
    problems = mapping.problems()
    if problems:
        raise MappingError(
            "\n".join(
                f"{_where(path, lines, loc)}: {_label(loc, data)}: {message}"
                for loc, message in problems
            )
        )
    return mapping


def load_mapping(path: Path) -> CrmMapping:
    """Read and validate a mapping file; :class:`MappingError` names file, line and field."""
    try:
        data, lines = read_yaml(path)
    except MappingError:
        raise
    except Exception as err:  # config.yamlfile raises ConfigError for I/O and YAML syntax
        raise MappingError(str(err)) from err
    return mapping_from_data(data, path, lines)
