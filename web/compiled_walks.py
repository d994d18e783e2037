"""Page queries of an unfiltered list walk, compiled by the ORM once per shape and then only executed.

Building and compiling a page query (twenty columns, a join, the keyset condition) is ~0.4 ms of
Python, as much as PostgreSQL spends running it as a prepared statement. A walk's query differs between
requests only in its values: the connections, the cursor's value and id. So each shape (view, ordering,
kind of cursor, number of connections, page size) is compiled once with stand-in values, the position
of each stand-in among the SQL's parameters is noted, and later requests put their own values there.

A shape whose stand-ins do not all come back as parameters, each exactly as given (a backend that
changes values on the way, a query that folds one into its SQL text), is not kept: that request and the
next of its shape compile as usual.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Field, QuerySet

# Stand-ins no real value equals: negative ids, a date in year 1, text with control characters.
_CONNECTION_MARKERS = [-(10**15) - n for n in range(1000)]
_LAST_ID_MARKER = -(10**16) - 7
_VALUE_MARKERS: dict[str, object] = {
    "DateTimeField": datetime.datetime(1, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC),
    "DecimalField": Decimal("-424242424.42"),
    "CharField": "\x01lexhub stand-in\x01",
    "TextField": "\x01lexhub stand-in\x01",
    "IntegerField": -(10**16) - 11,
    "BigIntegerField": -(10**16) - 11,
}
MAX_SHAPES = 512


@dataclass(frozen=True)
class CompiledWalk:
    sql: str
    slots: tuple[tuple, ...]  # per parameter: ("connection", index) | ("value",) | ("last",) | ("const", value)
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple, object], ...]


_walks: dict[tuple, CompiledWalk | None] = {}  # None: a shape compiled per request
_lock = threading.Lock()


def page_rows(
    key: tuple,
    build: Callable[[list[int], object, int | None], QuerySet],
    *,
    using: str,
    connection_ids: list[int],
    model_field: Field,
    position: tuple[object, int] | None,
) -> list[dict]:
    """The rows of `build(connection_ids, value, last_id)`, a .values() page query, as dicts.

    `position` is the cursor's (value, id), or None on the first page; `key` names everything else that
    shapes the query (the view, ordering and page size)."""
    if not connection_ids:
        return []  # no connection, no rows: the ORM would not even ask the database
    kind = "first" if position is None else "null" if position[0] is None else "value"
    shape = (using, *key, kind, len(connection_ids))
    if shape in _walks:
        compiled = _walks[shape]
    else:
        compiled = _compile(build, using=using, count=len(connection_ids), model_field=model_field, kind=kind)
        with _lock:
            if len(_walks) >= MAX_SHAPES:
                _walks.clear()
            _walks[shape] = compiled
    if compiled is None:
        value, last_id = position or (None, None)
        return list(build(connection_ids, value, last_id))
    connection = connections[using]
    values: dict[str, object] = {"last": None, "value": None}
    if position is not None:
        values["last"] = position[1]
        values["value"] = None if position[0] is None else model_field.get_db_prep_value(position[0], connection)
    params: list[Any] = [
        connection_ids[slot[1]] if slot[0] == "connection" else slot[1] if slot[0] == "const" else values[slot[0]]
        for slot in compiled.slots
    ]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    if compiled.converters:
        rows = [_converted(row, compiled.converters, connection) for row in rows]
    names = compiled.names
    return [dict(zip(names, row, strict=True)) for row in rows]


def _converted(row: tuple, converters: tuple, connection: object) -> list:
    # Not compiler.apply_converters: a kept compiler holds the connection of the thread that compiled it.
    values = list(row)
    for position, functions, expression in converters:
        for convert in functions:
            values[position] = convert(values[position], expression, connection)
    return values


def _compile(
    build: Callable[[list[int], object, int | None], QuerySet], *, using: str, count: int, model_field: Field, kind: str
) -> CompiledWalk | None:
    value_marker = _VALUE_MARKERS.get(model_field.get_internal_type())
    if count > len(_CONNECTION_MARKERS) or (kind == "value" and value_marker is None):
        return None
    markers = _CONNECTION_MARKERS[:count]
    queryset = build(markers, value_marker if kind == "value" else None, _LAST_ID_MARKER if kind != "first" else None)
    compiler = queryset.query.get_compiler(using)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):  # a stand-in folded into the SQL: compile per request
        return None
    expected: dict[tuple, object] = {("connection", index): marker for index, marker in enumerate(markers)}
    if kind != "first":
        expected[("last",)] = _LAST_ID_MARKER
    if kind == "value":
        expected[("value",)] = model_field.get_db_prep_value(value_marker, compiler.connection)
    slots, found = [], set()
    for param in params:
        slot = next(
            (slot for slot, marker in expected.items() if type(param) is type(marker) and param == marker), None
        )
        if slot is None:
            slots.append(("const", param))
        else:
            slots.append(slot)
            found.add(slot)
    if found != set(expected):
        return None
    query = queryset.query
    names = (
        tuple(query.selected)
        if query.selected
        else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return CompiledWalk(
        sql,
        tuple(slots),
        names,
        tuple((position, tuple(functions), expression) for position, (functions, expression) in converters.items()),
    )
