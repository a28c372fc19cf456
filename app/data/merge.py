"""Three-way merge of a record: what I changed, what they changed, and what we both changed.

On a stale `If-Match` (412) the store knows three versions of the record: the one my edit started
from (base), mine (base plus my edit) and theirs (the server's now). Field by field: changed only
by me → mine; only by them → theirs; by both to the same value → that value; by both to different
values → a `FieldConflict` the operator decides. Nested values merge by part: mappings (custom
fields) per key, lists of mappings with an `id` per item, lists of the same length (line items)
per position, lists of scalars (tags) as sets (my additions and removals applied to theirs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Path = tuple[Any, ...]
Choice = Literal["mine", "theirs"]
#: Stands for a key a version does not have (added or removed by a side).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()


@dataclass(frozen=True)
class FieldConflict:
    """Both sides changed the value at `path` (top-level field first) to different values."""

    path: Path
    base: Any
    mine: Any
    theirs: Any

    @property
    def label(self) -> str:
        """The path as an operator reads it: `custom_fields.tier`, `line_items[2].quantity`."""
        text = str(self.path[0])
        for part in self.path[1:]:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text


@dataclass(frozen=True)
class MergeResult:
    """`merged` holds every field decided without asking (conflicting ones hold theirs)."""

    merged: dict[str, Any]
    conflicts: tuple[FieldConflict, ...] = field(default=())

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def resolved(self, choices: Mapping[Path, Choice]) -> dict[str, Any]:
        """The merged record with each conflict settled by `choices[path]` (theirs when absent)."""
        record = _copy(self.merged)
        for conflict in self.conflicts:
            if choices.get(conflict.path) == "mine":
                _assign(record, conflict.path, conflict.mine)
        return record


def three_way(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> MergeResult:
    """Merge `mine` and `theirs`, two edits of `base`, field by field (see the module docstring)."""
    conflicts: list[FieldConflict] = []
    merged = _merge_mapping(base, mine, theirs, (), conflicts)
    return MergeResult(merged, tuple(conflicts))


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level fields of `after` whose values differ from `before` (a PATCH body)."""
    return {name: value for name, value in after.items() if before.get(name, MISSING) != value}


def _merge(base: Any, mine: Any, theirs: Any, path: Path, conflicts: list[FieldConflict]) -> Any:
    if mine == theirs:
        return theirs
    if mine == base:
        return theirs
    if theirs == base:
        return mine
    if all(isinstance(v, Mapping) for v in (base, mine, theirs)):
        return _merge_mapping(base, mine, theirs, path, conflicts)
    if all(isinstance(v, list) for v in (base, mine, theirs)):
        merged = _merge_list(base, mine, theirs, path, conflicts)
        if merged is not MISSING:
            return merged
    conflicts.append(FieldConflict(path, base, mine, theirs))
    return theirs


def _merge_mapping(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any], path: Path,
                   conflicts: list[FieldConflict]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    keys = list(theirs) + [k for k in mine if k not in theirs] + [k for k in base if k not in theirs and k not in mine]
    for key in keys:
        value = _merge(base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING), (*path, key), conflicts)
        if value is not MISSING:
            merged[key] = value
    return merged


def _merge_list(base: list, mine: list, theirs: list, path: Path, conflicts: list[FieldConflict]) -> Any:
    items = base + mine + theirs
    if items and all(isinstance(item, Mapping) and "id" in item for item in items):
        return _merge_by_id(base, mine, theirs, path, conflicts)
    if len(base) == len(mine) == len(theirs):
        return [_merge(b, m, t, (*path, i), conflicts) for i, (b, m, t) in enumerate(zip(base, mine, theirs))]
    if all(_hashable(item) for item in items):
        added = [item for item in mine if item not in base]
        removed = {item for item in base if item not in mine}
        result = [item for item in theirs if item not in removed]
        return result + [item for item in added if item not in result]
    return MISSING


def _merge_by_id(base: list, mine: list, theirs: list, path: Path, conflicts: list[FieldConflict]) -> list:
    by_id = [{item["id"]: item for item in version} for version in (base, mine, theirs)]
    order = [item["id"] for item in theirs] + [item["id"] for item in mine if item["id"] not in by_id[2]]
    merged = []
    for item_id in order:
        value = _merge(*(version.get(item_id, MISSING) for version in by_id), (*path, item_id), conflicts)
        if value is not MISSING:
            merged.append(value)
    return merged


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _assign(record: dict[str, Any], path: Path, value: Any) -> None:
    """Set the value at `path` (keys, list positions, or item ids), removing it for MISSING."""
    container: Any = record
    for part in path[:-1]:
        container = _step(container, part)
    last = path[-1]
    if isinstance(container, list):
        index = _index_of(container, last)
        if value is MISSING:
            if index is not None:
                del container[index]
        elif index is None:
            container.append(value)
        else:
            container[index] = value
    elif value is MISSING:
        container.pop(last, None)
    else:
        container[last] = value


def _step(container: Any, part: Any) -> Any:
    if isinstance(container, list):
        return container[_index_of(container, part)]
    return container[part]


def _index_of(items: Sequence[Any], part: Any) -> int | None:
    if isinstance(part, int) and not any(isinstance(i, Mapping) and i.get("id") == part for i in items):
        return part if part < len(items) else None
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and item.get("id") == part:
            return index
    return None
