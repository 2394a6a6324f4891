"""A real subset of SOQL: parse, validate against the org schema, evaluate over the store.

Supported::

    SELECT field, Parent.Field, Parent.Parent.Field, COUNT(),
           (SELECT field, ... FROM ChildRelationship [WHERE ...] [ORDER BY ...] [LIMIT n])
    FROM SObject
    [WHERE cond]       cond: field op value | field [NOT] IN (v, ...) | field LIKE 'pat%'
                             | NOT cond | (cond) | cond AND cond | cond OR cond
                       op:   = != <> < > <= >=
                       value: 'string' | 12 | 12.5 | true | false | null | 2026-01-31
                              | 2026-01-31T10:00:00Z | TODAY | YESTERDAY | TOMORROW
                              | LAST_N_DAYS:n | NEXT_N_DAYS:n
    [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
    [LIMIT n] [OFFSET n]

As in Salesforce: keywords and names are case-insensitive, string comparisons too;
mixing AND and OR without parentheses is a syntax error; ``'quoted'`` values for date,
number or boolean fields (and unquoted ones for text fields) are refused with
``INVALID_QUERY_FILTER_OPERATOR``; unknown objects, fields and relationships fail with
``INVALID_TYPE`` / ``INVALID_FIELD`` and the position of the name, in Salesforce's own
message format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.salesforce.schema import NUMBER_TYPES, TEXT_TYPES, SField, SObject


class SoqlError(Exception):
    """A query Salesforce would refuse: ``error_code`` and a message in its format."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


# --- tokens ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),.:])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<bind>:[A-Za-z_]\w*)
    """,
    re.VERBOSE,
)

_KEYWORDS = frozenset(
    {
        "select",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "like",
        "order",
        "by",
        "asc",
        "desc",
        "nulls",
        "first",
        "last",
        "limit",
        "offset",
        "null",
        "true",
        "false",
        "group",
        "having",
        "includes",
        "excludes",
        "with",
        "for",
        "using",
    }
)
_RELATIVE = {
    "today",
    "yesterday",
    "tomorrow",
    "last_n_days",
    "next_n_days",
    "this_month",
    "last_month",
    "next_month",
    "this_year",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ident | string | number | date | datetime | op | punct | eof
    text: str
    row: int
    col: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "ident" else ""


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    row, line_start, pos = 1, 0, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _syntax(text, row, pos - line_start + 1, f"unexpected token: '{text[pos]}'")
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "bind":
            raise _syntax(
                text, row, pos - line_start + 1, "Bind variables only allowed in Apex code"
            )
        if kind == "ws":
            for offset, ch in enumerate(value):
                if ch == "\n":
                    row += 1
                    line_start = pos + offset + 1
        else:
            tokens.append(Token(kind, value, row, pos - line_start + 1))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", row, pos - line_start + 1))
    return tokens


def _syntax(text: str, row: int, col: int, message: str) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", _located(text, row, col, message))


def _located(text: str, row: int, col: int, message: str) -> str:
    lines = text.split("\n")
    line = lines[row - 1] if 0 < row <= len(lines) else text
    return f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{message}"


# --- syntax tree -----------------------------------------------------------------------


@dataclass(slots=True)
class FieldRef:
    parts: list[str]
    row: int
    col: int
    # filled by validation
    chain: list[SField] = field(default_factory=list)  # lookups followed, then the field
    canonical: list[str] = field(default_factory=list)  # relationship names..., field name

    @property
    def target(self) -> SField:
        return self.chain[-1]


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # string | number | boolean | null | date | datetime | relative
    value: Any
    text: str


@dataclass(slots=True)
class Compare:
    ref: FieldRef
    op: str  # = != < > <= >= like in notin
    values: list[Literal]


@dataclass(slots=True)
class BoolOp:
    op: str  # and | or
    items: list[Any]


@dataclass(slots=True)
class Not:
    item: Any


@dataclass(slots=True)
class OrderItem:
    ref: FieldRef
    descending: bool
    nulls_last: bool


@dataclass(slots=True)
class Query:
    items: list[FieldRef | Query]
    sobject: str
    sobject_token: Token
    where: Any = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    count_only: bool = False
    # filled by validation
    obj: SObject | None = None
    relationship: str | None = None  # subqueries: the child relationship's name
    link_field: str | None = None  # subqueries: the child's lookup to the parent


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    # helpers
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def error(self, token: Token, message: str | None = None) -> SoqlError:
        text = "<EOF>" if token.kind == "eof" else token.text
        return _syntax(self.text, token.row, token.col, message or f"unexpected token: '{text}'")

    def keyword(self, word: str) -> bool:
        if self.peek().word == word:
            self.pos += 1
            return True
        return False

    def expect_keyword(self, word: str) -> Token:
        token = self.next()
        if token.word != word:
            raise self.error(token)
        return token

    def expect_punct(self, char: str) -> Token:
        token = self.next()
        if token.text != char:
            if char == ")":
                found = "EOF" if token.kind == "eof" else f"'{token.text}'"
                raise self.error(token, f"expecting a right parentheses, found {found}")
            raise self.error(token)
        return token

    # grammar
    def parse(self) -> Query:
        query = self.query(nested=False)
        if self.peek().kind != "eof":
            raise self.error(self.peek())
        return query

    def query(self, nested: bool) -> Query:
        self.expect_keyword("select")
        items: list[FieldRef | Query] = []
        count_only = False
        while True:
            token = self.peek()
            if token.text == "(":
                if nested:
                    raise self.error(token, "Nesting of semi join sub-selects is not supported")
                self.next()
                items.append(self.query(nested=True))
                self.expect_punct(")")
            elif token.word == "count" and self.peek(1).text == "(":
                self.pos += 2
                self.expect_punct(")")
                count_only = True
            elif token.kind == "ident" and token.word not in ("from",):
                items.append(self.field_ref())
            else:
                raise self.error(token)
            if self.peek().text == ",":
                self.next()
                continue
            break
        if not items and not count_only:
            raise self.error(self.peek())
        self.expect_keyword("from")
        sobject = self.next()
        if sobject.kind != "ident" or sobject.word in _KEYWORDS:
            raise self.error(sobject)
        query = Query(
            items=items, sobject=sobject.text, sobject_token=sobject, count_only=count_only
        )
        if self.keyword("where"):
            query.where = self.condition()
        if self.peek().word in ("group", "having", "with", "for", "using"):
            raise self.error(self.peek())
        if self.keyword("order"):
            self.expect_keyword("by")
            query.order = self.order_items()
        if self.keyword("limit"):
            query.limit = self.integer()
        if self.keyword("offset"):
            query.offset = self.integer()
        return query

    def integer(self) -> int:
        token = self.next()
        if token.kind != "number" or "." in token.text or token.text.startswith("-"):
            raise self.error(token)
        return int(token.text)

    def field_ref(self) -> FieldRef:
        first = self.next()
        if first.kind != "ident":
            raise self.error(first)
        parts = [first.text]
        while self.peek().text == ".":
            self.next()
            part = self.next()
            if part.kind != "ident":
                raise self.error(part)
            parts.append(part.text)
        return FieldRef(parts=parts, row=first.row, col=first.col)

    def order_items(self) -> list[OrderItem]:
        items = []
        while True:
            ref = self.field_ref()
            descending = False
            if self.keyword("desc"):
                descending = True
            else:
                self.keyword("asc")
            nulls_last = descending
            if self.keyword("nulls"):
                if self.keyword("last"):
                    nulls_last = True
                else:
                    self.expect_keyword("first")
                    nulls_last = False
            items.append(OrderItem(ref, descending, nulls_last))
            if self.peek().text != ",":
                return items
            self.next()

    def condition(self) -> Any:
        first = self.unary()
        op: str | None = None
        items = [first]
        while self.peek().word in ("and", "or"):
            token = self.next()
            if op is not None and token.word != op:
                # SOQL needs parentheses to mix AND and OR.
                raise self.error(token)
            op = token.word
            items.append(self.unary())
        return first if op is None else BoolOp(op, items)

    def unary(self) -> Any:
        if self.keyword("not"):
            return Not(self.unary())
        if self.peek().text == "(":
            self.next()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Compare:
        ref = self.field_ref()
        token = self.next()
        if token.kind == "op":
            op = "!=" if token.text == "<>" else token.text
            return Compare(ref, op, [self.literal()])
        word = token.word
        if word == "like":
            return Compare(ref, "like", [self.literal()])
        if word == "not" and self.peek().word == "in":
            self.next()
            return Compare(ref, "notin", self.literal_list())
        if word == "in":
            if self.peek().text == "(" and self.peek(1).word == "select":
                raise self.error(self.peek(1), "Semi join sub-selects are not supported here")
            return Compare(ref, "in", self.literal_list())
        if word in ("includes", "excludes"):
            raise self.error(token, "includes/excludes are for multi-select picklists only")
        raise self.error(token)

    def literal_list(self) -> list[Literal]:
        self.expect_punct("(")
        values = [self.literal()]
        while self.peek().text == ",":
            self.next()
            values.append(self.literal())
        self.expect_punct(")")
        return values

    def literal(self) -> Literal:
        token = self.next()
        if token.kind == "string":
            return Literal("string", _unquote(token.text), token.text)
        if token.kind == "number":
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", number, token.text)
        if token.kind == "date":
            return Literal("date", date.fromisoformat(token.text), token.text)
        if token.kind == "datetime":
            return Literal("datetime", _parse_datetime(token.text), token.text)
        if token.kind == "ident":
            word = token.word
            if word in ("true", "false"):
                return Literal("boolean", word == "true", token.text)
            if word == "null":
                return Literal("null", None, token.text)
            if word in _RELATIVE:
                if word in ("last_n_days", "next_n_days"):
                    self.expect_punct(":")
                    n = self.integer()
                    return Literal("relative", (word, n), f"{token.text}:{n}")
                return Literal("relative", (word, 0), token.text)
        raise self.error(token)


def _unquote(text: str) -> str:
    body = text[1:-1]
    escapes = {
        "n": "\n",
        "t": "\t",
        "r": "\r",
        "b": "\b",
        "f": "\f",
        "'": "'",
        '"': '"',
        "\\": "\\",
        "%": "\\%",
        "_": "\\_",
    }
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _parse_datetime(text: str) -> datetime:
    value = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value)


def parse(text: str) -> Query:
    """The syntax tree of ``text``; raises :class:`SoqlError` (``MALFORMED_QUERY``)."""
    return _Parser(text).parse()


# --- validation against the schema ---------------------------------------------------

_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the "
    "custom field name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
_RELATIONSHIP_HINT = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' "
    "after the custom relationship name. Please reference your WSDL or the describe call "
    "for the appropriate names."
)
_TYPE_HINT = (
    "If you are attempting to use a custom object, be sure to append the '__c' after the "
    "entity name. Please reference your WSDL or the describe call for the appropriate names."
)


class _Validator:
    def __init__(self, text: str, schema: dict[str, SObject]) -> None:
        self.text = text
        self.schema = schema

    def located(self, code: str, row: int, col: int, message: str) -> SoqlError:
        return SoqlError(code, _located(self.text, row, col, message))

    def query(self, query: Query, parent: SObject | None = None) -> None:
        token = query.sobject_token
        if parent is None:
            obj = self.schema.get(query.sobject.lower())
            if obj is None:
                raise self.located(
                    "INVALID_TYPE",
                    token.row,
                    token.col,
                    f"sObject type '{query.sobject}' is not supported. {_TYPE_HINT}",
                )
        else:
            rel = parent.child(query.sobject)
            if rel is None:
                raise self.located(
                    "INVALID_TYPE",
                    token.row,
                    token.col,
                    f"Didn't understand relationship '{query.sobject}' in FROM part of query "
                    f"call. {_RELATIONSHIP_HINT}",
                )
            obj = self.schema[rel.child.lower()]
            query.relationship = rel.name
            query.link_field = rel.field
        query.obj = obj
        for item in query.items:
            if isinstance(item, Query):
                self.query(item, parent=obj)
            else:
                self.ref(item, obj)
        if query.where is not None:
            self.condition(query.where, obj)
        for order in query.order:
            self.ref(order.ref, obj)
        if query.limit is not None and parent is None and query.limit > 50_000:
            query.limit = 50_000
        if query.offset is not None and query.offset > 2000:
            raise self.located(
                "NUMBER_OUTSIDE_VALID_RANGE",
                token.row,
                token.col,
                "Maximum SOQL offset allowed is 2000",
            )

    def ref(self, ref: FieldRef, obj: SObject) -> None:
        current = obj
        chain: list[SField] = []
        canonical: list[str] = []
        for i, part in enumerate(ref.parts):
            last = i == len(ref.parts) - 1
            if last:
                f = current.field(part)
                if f is None:
                    raise self.located(
                        "INVALID_FIELD",
                        ref.row,
                        ref.col,
                        f"No such column '{part}' on entity '{current.name}'. {_FIELD_HINT}",
                    )
                chain.append(f)
                canonical.append(f.name)
            else:
                lookup = current.parent(part)
                if lookup is None:
                    raise self.located(
                        "INVALID_FIELD",
                        ref.row,
                        ref.col,
                        f"Didn't understand relationship '{part}' in field path. "
                        f"{_RELATIONSHIP_HINT}",
                    )
                chain.append(lookup)
                canonical.append(lookup.relationship_name or part)
                current = self.schema[lookup.reference_to[0].lower()]
        ref.chain = chain
        ref.canonical = canonical

    def condition(self, node: Any, obj: SObject) -> None:
        if isinstance(node, BoolOp):
            for item in node.items:
                self.condition(item, obj)
        elif isinstance(node, Not):
            self.condition(node.item, obj)
        else:
            assert isinstance(node, Compare)
            self.ref(node.ref, obj)
            for value in node.values:
                self.check_value(node.ref, node.op, value)

    def check_value(self, ref: FieldRef, op: str, value: Literal) -> None:
        target = ref.target
        kind = target.type
        name = ref.parts[-1]
        if value.kind == "null":
            if op not in ("=", "!=", "in", "notin"):
                self.bad_filter(ref, f"invalid operator on null value for field '{name}'")
            return
        if op == "like" and kind not in TEXT_TYPES:
            self.bad_filter(ref, f"invalid operator on field '{name}'")
        if kind in TEXT_TYPES:
            if value.kind != "string":
                self.bad_filter(
                    ref,
                    f"value of filter criterion for field '{name}' must be of type "
                    f"{'string' if kind != 'id' else 'id'} and should be enclosed in quotes",
                )
        elif kind == "boolean":
            if value.kind != "boolean":
                self.bad_filter(
                    ref,
                    f"value of filter criterion for field '{name}' must be of type "
                    "boolean and should not be enclosed in quotes",
                )
        elif kind in NUMBER_TYPES:
            if value.kind != "number":
                self.bad_filter(
                    ref,
                    f"value of filter criterion for field '{name}' must be of type "
                    f"{'double' if kind != 'int' else 'int'} and should not be enclosed in "
                    "quotes",
                )
        elif kind in ("date", "datetime"):
            if value.kind not in ("date", "datetime", "relative"):
                self.bad_filter(
                    ref,
                    f"value of filter criterion for field '{name}' must be of type "
                    f"{'date' if kind == 'date' else 'dateTime'} and should not be enclosed "
                    "in quotes",
                )
            if kind == "datetime" and value.kind == "date":
                self.bad_filter(
                    ref,
                    f"value of filter criterion for field '{name}' must be of type "
                    "dateTime and should not be enclosed in quotes",
                )

    def bad_filter(self, ref: FieldRef, message: str) -> None:
        raise self.located("INVALID_QUERY_FILTER_OPERATOR", ref.row, ref.col, message)


def compile_query(text: str, schema: dict[str, SObject]) -> Query:
    """Parse and validate ``text`` against ``schema``."""
    query = parse(text)
    _Validator(text, schema).query(query)
    return query


# --- evaluation ------------------------------------------------------------------------

Record = dict[str, Any]


class RecordSource:
    """What evaluation needs from the store."""

    def __init__(
        self,
        all_records: Callable[[str], Iterable[Record]],
        get: Callable[[str, str], Record | None],
        children: Callable[[str, str, str], Iterable[Record]],
        now: Callable[[], datetime],
    ) -> None:
        self.all = all_records  # (object) -> records
        self.get = get  # (object, id) -> record
        self.children = children  # (child object, lookup field, parent id) -> records
        self.now = now


def execute(query: Query, source: RecordSource, version: str) -> tuple[int, list[Record]]:
    """Evaluate a validated root query: (totalSize, rendered records)."""
    assert query.obj is not None
    rows = [r for r in source.all(query.obj.name) if _matches(query.where, r, source)]
    rows = _order_and_slice(query, rows, source)
    if query.count_only:
        return len(rows), []
    return len(rows), [render(query, r, source, version) for r in rows]


def _order_and_slice(query: Query, rows: list[Record], source: RecordSource) -> list[Record]:
    for item in reversed(query.order):
        present = [r for r in rows if _sort_key(_value(item.ref, r, source)) is not None]
        missing = [r for r in rows if _sort_key(_value(item.ref, r, source)) is None]
        present.sort(
            key=lambda r, i=item: _sort_key(_value(i.ref, r, source)), reverse=item.descending
        )
        rows = present + missing if item.nulls_last else missing + present
    if query.offset:
        rows = rows[query.offset :]
    if query.limit is not None:
        rows = rows[: query.limit]
    return rows


def render(query: Query, record: Record, source: RecordSource, version: str) -> Record:
    assert query.obj is not None
    out: Record = {"attributes": _attributes(query.obj.name, record["Id"], version)}
    for item in query.items:
        if isinstance(item, Query):
            assert item.obj is not None
            assert item.link_field is not None
            assert item.relationship is not None
            children = [
                c
                for c in source.children(item.obj.name, item.link_field, record["Id"])
                if _matches(item.where, c, source)
            ]
            children = _order_and_slice(item, children, source)
            out[item.relationship] = (
                {
                    "totalSize": len(children),
                    "done": True,
                    "records": [render(item, c, source, version) for c in children],
                }
                if children
                else None
            )
        else:
            _place(out, item, record, source, version)
    return out


def _place(out: Record, ref: FieldRef, record: Record, source: RecordSource, version: str) -> None:
    target = out
    current: Record | None = record
    for lookup, name in zip(ref.chain[:-1], ref.canonical[:-1], strict=True):
        if name in target and target[name] is None:
            return
        parent_id = current.get(lookup.name) if current else None
        parent = source.get(lookup.reference_to[0], parent_id) if parent_id else None
        if parent is None:
            target[name] = None
            return
        if name not in target:
            target[name] = {
                "attributes": _attributes(lookup.reference_to[0], parent["Id"], version)
            }
        target = target[name]
        current = parent
    assert current is not None
    target[ref.canonical[-1]] = current.get(ref.target.name)


def _attributes(sobject: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


def _value(ref: FieldRef, record: Record, source: RecordSource) -> Any:
    current: Record | None = record
    for lookup in ref.chain[:-1]:
        parent_id = current.get(lookup.name) if current else None
        current = source.get(lookup.reference_to[0], parent_id) if parent_id else None
        if current is None:
            return None
    return current.get(ref.target.name) if current else None


def _sort_key(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return value.lower()
    return value


def _matches(node: Any, record: Record, source: RecordSource) -> bool:
    if node is None:
        return True
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_matches(i, record, source) for i in node.items)
        return any(_matches(i, record, source) for i in node.items)
    if isinstance(node, Not):
        return not _matches(node.item, record, source)
    assert isinstance(node, Compare)
    value = _value(node.ref, record, source)
    kind = node.ref.target.type
    if node.op in ("in", "notin"):
        hit = any(_equal(value, lit, kind, source) for lit in node.values)
        return hit if node.op == "in" else not hit
    literal = node.values[0]
    if node.op == "=":
        return _equal(value, literal, kind, source)
    if node.op == "!=":
        return not _equal(value, literal, kind, source)
    if node.op == "like":
        return value is not None and _like(str(value), str(literal.value))
    if value is None or literal.kind == "null":
        return False
    left = _comparable(value, kind)
    if literal.kind == "relative":
        start, end = _relative_range(literal.value, kind, source.now())
        return {
            "<": left < start,
            "<=": left < end,
            ">": left >= end,
            ">=": left >= start,
        }[node.op]
    right = _literal_comparable(literal, kind)
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[node.op]


def _equal(value: Any, literal: Literal, kind: str, source: RecordSource) -> bool:
    if literal.kind == "null":
        return value is None
    if value is None:
        return False
    if literal.kind == "relative":
        start, end = _relative_range(literal.value, kind, source.now())
        left = _comparable(value, kind)
        return bool(start <= left < end)
    if kind == "id" or kind == "reference":
        return _id15(str(value)) == _id15(str(literal.value))
    return bool(_comparable(value, kind) == _literal_comparable(literal, kind))


def _id15(value: str) -> str:
    return value[:15]


def _comparable(value: Any, kind: str) -> Any:
    if kind == "date":
        return date.fromisoformat(str(value)[:10])
    if kind == "datetime":
        return _parse_sf_datetime(str(value))
    if isinstance(value, str):
        return value.lower()
    return value


def _literal_comparable(literal: Literal, kind: str) -> Any:
    value = literal.value
    if kind == "datetime" and isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return value.lower()
    return value


def _parse_sf_datetime(text: str) -> datetime:
    return _parse_datetime(text)


def _relative_range(spec: tuple[str, int], kind: str, now: datetime) -> tuple[Any, Any]:
    word, n = spec
    today = now.astimezone(UTC).date()
    if word == "today":
        start, end = today, today + timedelta(days=1)
    elif word == "yesterday":
        start, end = today - timedelta(days=1), today
    elif word == "tomorrow":
        start, end = today + timedelta(days=1), today + timedelta(days=2)
    elif word == "last_n_days":
        start, end = today - timedelta(days=n), today + timedelta(days=1)
    elif word == "next_n_days":
        start, end = today + timedelta(days=1), today + timedelta(days=n + 1)
    elif word == "this_month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    elif word == "last_month":
        end = today.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    elif word == "next_month":
        start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:  # this_year
        start, end = (
            today.replace(month=1, day=1),
            today.replace(year=today.year + 1, month=1, day=1),
        )
    if kind == "datetime":
        return (
            datetime(start.year, start.month, start.day, tzinfo=UTC),
            datetime(end.year, end.month, end.day, tzinfo=UTC),
        )
    return start, end


def _like(value: str, pattern: str) -> bool:
    regex = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(regex), value, flags=re.IGNORECASE | re.DOTALL) is not None


def field_names(query: Query) -> Sequence[str]:
    """Dotted, canonical names of a query's plain fields (for logs and the ledger)."""
    return [".".join(i.canonical) for i in query.items if isinstance(i, FieldRef)]
