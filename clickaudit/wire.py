"""The wire form of model objects: lossless JSON for handing an audit to another process.

The JSON report (:mod:`clickaudit.report.json_report`) is a contract for people's scripts: it
shows what a reader needs and leaves out what only the engine uses (a link's ``part_index`` and
``attributes``, what kind of problem an email note is). The wire form is the other thing:
every field of every model object, written by walking the dataclasses
themselves, so a field added to the model travels without anyone remembering to add it here.
``from_wire(Audit, to_wire(audit)) == audit`` holds for every audit (tests/test_wire.py).

Only the model's own shapes are supported: frozen dataclasses, str enums, ``X | None``,
``tuple[X, ...]``, ``Mapping[str, X]`` and JSON scalars. ``Mapping[str, object]`` fields hold
JSON-ready values (settings, SPF/DMARC details) and travel as they are.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from typing import Any, TypeVar, cast

from clickaudit import model

_T = TypeVar("_T")
_Decoder = Callable[[Any], Any]


def to_wire(obj: object) -> Any:
    """A JSON-ready form of a model object (dataclass, enum, tuple, mapping or scalar)."""
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_wire(value) for name, value in obj.__dict__.items()}
    if isinstance(obj, tuple | list):
        return [to_wire(item) for item in obj]
    if isinstance(obj, Mapping):
        return {key: to_wire(value) for key, value in obj.items()}
    return obj


def from_wire(cls: type[_T], data: Any) -> _T:
    """The model object ``data`` (made by :func:`to_wire`) describes.

    Raises:
        ValueError: the data does not fit the class (a missing field, a value of the wrong type).
    """
    try:
        result: _T = _decoder_for(cast(Hashable, cls))(data)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a wire-form {cls.__name__}: {error!r}") from None
    return result


@cache
def _decoder_for(hint: Any) -> _Decoder:
    """A function that rebuilds a value of type ``hint`` (made once per type)."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is types.UnionType or origin is typing.Union:
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"the wire form supports only X | None, not {hint}")
        decode_inner = _decoder_for(inner[0])
        return lambda value: None if value is None else decode_inner(value)
    if origin is tuple:
        decode_item = _decoder_for(args[0])
        return lambda value: tuple(decode_item(item) for item in value)
    if origin is Mapping or origin is dict:
        value_type = args[1] if args else object
        if value_type is object:
            return dict
        decode_value = _decoder_for(value_type)
        return lambda value: model.frozen_mapping(
            {key: decode_value(item) for key, item in value.items()}
        )
    if hint is float:
        return float
    if hint in (int, str, bool, object):
        return _same
    raise TypeError(f"the wire form does not support {hint!r}")


def _same(value: Any) -> Any:
    return value


def _dataclass_decoder(cls: type) -> _Decoder:
    hints = typing.get_type_hints(cls, vars(model))
    decoders = {item.name: _decoder_for(hints[item.name]) for item in dataclasses.fields(cls)}

    def decode(data: Mapping[str, Any]) -> Any:
        return cls(**{name: decode_field(data[name]) for name, decode_field in decoders.items()})

    return decode
