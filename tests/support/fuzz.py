"""Hypothesis strategies for arbitrary protobuf messages, built from their descriptors.

Every field may be absent or set; strings include empty, long and unusual Unicode; integers span their
whole type (negative amounts, huge page sizes, timestamps outside any calendar); enums include numbers the
contract does not define. A server must answer all of them with a clear status, never INTERNAL.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

MAX_DEPTH = 3
"""Nested messages deeper than this are left unset: deep enough for every request of the contracts."""

_INT_BOUNDS = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}

_TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", " ", "STIM", "079", "T0700000049", "SEAAA2600001", "00014107338", "W1", "DK"]),
    st.text(alphabet="0123456789-.T", max_size=14),
    st.text(min_size=200, max_size=300),
)


def _integers(field: FieldDescriptor) -> st.SearchStrategy[int]:
    low, high = _INT_BOUNDS[field.type]
    edges = [value for value in (low, -1, 0, 1, 100, 10_000, 10_001, high) if low <= value <= high]
    return st.one_of(st.sampled_from(edges), st.integers(min_value=low, max_value=high))


def _scalar(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_BOUNDS:
        return _integers(field)
    if kind == FieldDescriptor.TYPE_STRING:
        return _TEXT
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(width=32 if kind == FieldDescriptor.TYPE_FLOAT else 64)
    if kind == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        defined = [value.number for value in field.enum_type.values]
        return st.sampled_from([*defined, max(defined) + 1, 999])
    assert kind == FieldDescriptor.TYPE_MESSAGE, f"unhandled field type {kind} of {field.full_name}"
    assert field.message_type is not None
    return messages(field.message_type, depth + 1)


def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        keys, values = entry.fields_by_name["key"], entry.fields_by_name["value"]
        return st.dictionaries(_scalar(keys, depth), _scalar(values, depth), max_size=3)
    one = _scalar(field, depth)
    return st.lists(one, max_size=3) if field.is_repeated else one


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Arbitrary messages of ``descriptor``'s type, any subset of fields set."""
    message_class = GetMessageClass(descriptor)
    if depth > MAX_DEPTH:
        return st.just(message_class())
    optional = {field.name: _deferred_field(field, depth) for field in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: _build(message_class, values))


def _deferred_field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    # Deferred, so recursive message types are only expanded as deep as a drawn example goes.
    return st.deferred(lambda: _field(field, depth))


def _build(message_class: type[Message], values: dict[str, Any]) -> Message:
    message = message_class()
    for name, value in values.items():
        field = message.DESCRIPTOR.fields_by_name[name]
        if isinstance(value, dict):
            target = getattr(message, name)
            for key, item in value.items():
                if isinstance(item, Message):
                    target[key].CopyFrom(item)
                else:
                    target[key] = item
        elif field.is_repeated:
            getattr(message, name).extend(value)
        elif isinstance(value, Message):
            getattr(message, name).CopyFrom(value)
        else:
            setattr(message, name, value)
    return message
