"""The wire form carries every field of an audit: Audit → wire → JSON → Audit is the identity."""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickaudit import model
from clickaudit.model import Audit, Link
from clickaudit.wire import from_wire, to_wire
from tests.factories import sample_audit

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """Any value of a model type, built from the dataclasses' own annotations."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint, vars(model))
        return st.builds(
            hint,
            **{item.name: strategy_for(hints[item.name]) for item in dataclasses.fields(hint)},
        )
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is types.UnionType:
        [inner] = [arg for arg in args if arg is not type(None)]
        return st.none() | strategy_for(inner)
    if origin is tuple:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if origin is Mapping:
        if args[1] is object:
            return st.dictionaries(st.text(), JSON_VALUES, max_size=3)
        return st.dictionaries(st.text(), strategy_for(args[1]), max_size=3).map(
            model.frozen_mapping
        )
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(),
        int: st.integers(),
        float: st.floats(allow_nan=False),
        bool: st.booleans(),
    }
    return simple[hint]


def assert_identical(before: Any, after: Any, where: str = "audit") -> None:
    """Equal, and of the same types all the way down (an enum must not come back a str)."""
    assert type(before) is type(after) or (
        isinstance(before, Mapping) and isinstance(after, Mapping)
    ), f"{where}: {type(before).__name__} became {type(after).__name__}"
    if dataclasses.is_dataclass(before):
        for item in dataclasses.fields(before):
            assert_identical(
                getattr(before, item.name), getattr(after, item.name), f"{where}.{item.name}"
            )
    elif isinstance(before, tuple | list):
        assert len(before) == len(after), where
        for index, (one, other) in enumerate(zip(before, after, strict=True)):
            assert_identical(one, other, f"{where}[{index}]")
    elif isinstance(before, Mapping):
        assert list(before) == list(after), where
        for key in before:
            assert_identical(before[key], after[key], f"{where}[{key!r}]")
    else:
        assert before == after, where


def through_the_wire(audit: Audit) -> Audit:
    return from_wire(Audit, json.loads(json.dumps(to_wire(audit))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategy_for(Audit))
def test_every_field_of_any_audit_survives_the_wire(audit: Audit) -> None:
    assert_identical(audit, through_the_wire(audit))


def test_the_fields_the_json_report_leaves_out_travel_on_the_wire() -> None:
    audit = sample_audit()
    link = dataclasses.replace(
        audit.links[0],
        part_index=3,
        attributes=model.frozen_mapping({"clicktracking": "off"}),
        not_followed=model.NotFollowedReason.SAFE_MODE,
    )
    audit = dataclasses.replace(audit, links=(link, *audit.links[1:]))
    back = through_the_wire(audit)
    assert back == audit
    assert back.links[0].part_index == 3 and back.links[0].attributes == {"clicktracking": "off"}
    assert back.links[0].not_followed is model.NotFollowedReason.SAFE_MODE


def test_data_of_the_wrong_shape_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a wire-form Link"):
        from_wire(Link, {"id": 1})
