"""Keyword arguments to a JSON request body, by the request's field table.

The library describes every request as a JSON schema (one property per field, with its type); this
module turns Python values into the JSON each field takes, so that a call is exactly the HTTP
API's POST body for the same question:

- dates: ``datetime.date``/``datetime.datetime``/``numpy.datetime64`` or ``"YYYY-MM-DD"``;
- chips, models, base chips (catalog references): an id (``"nvidia-h20"``), TOML text (a string
  with a newline or ``=``), a ``pathlib.Path`` to a TOML file (read here: the library never opens
  files), or ``{"toml": ..., "name": ...}``;
- rule files and design spaces (TOML texts): text, a ``Path``, or ``{"toml": ..., "name": ...}``;
- lists: a single string is a one-element list;
- numbers: any ``numbers.Integral``/``numbers.Real`` (numpy scalars included), finite.

``None`` means "not given": the field keeps the library's default. Wrong types are left for the
library's decoder, which names the field ("expected an integer, got a string").
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import os
from typing import Any, Dict, Iterable, List, Optional

from ._errors import InputError


def date_text(value: Any, field: str) -> Any:
    """A date as "YYYY-MM-DD"; other values are passed on for the library to reject."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if type(value).__name__ == "datetime64":  # numpy, without importing it
        text = str(value)
        if text == "NaT":
            raise InputError("expected a date, got NaT", field=field)
        return text[:10]
    return value


def _read(path: "os.PathLike[str]", field: str) -> Dict[str, str]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"cannot read {os.fspath(path)}: {e.strerror}", field=field) from None
    return {"toml": text, "name": os.fspath(path)}


def looks_like_toml(text: str) -> bool:
    """Whether a string is TOML text rather than a catalog id (ids have no '=' or newline)."""
    return "\n" in text or "=" in text


def ref(value: Any, field: str) -> Any:
    """A catalog reference: an id, or inline TOML as {"toml": ..., "name": ...}."""
    if isinstance(value, os.PathLike):
        return _read(value, field)
    if isinstance(value, str) and looks_like_toml(value):
        return {"toml": value}
    toml = getattr(value, "toml", None)  # e.g. a design's best chip
    if isinstance(toml, str):
        return {"toml": toml, "name": getattr(value, "name", "") or field}
    return value


def text(value: Any, field: str) -> Any:
    """TOML text: a string, a path, or {"toml": ..., "name": ...}."""
    if isinstance(value, os.PathLike):
        return _read(value, field)
    return value


def listify(value: Any) -> Any:
    """A list from a list-like value; a string (or a path) is one element."""
    if isinstance(value, (str, bytes, dict, os.PathLike)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def number(value: Any, field: str) -> Any:
    """Python numbers for numpy scalars; non-finite numbers are errors."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            raise InputError(f"must be finite, got {f}", field=field)
        return f
    return value


def _kind(prop: Dict[str, Any]) -> str:
    """What a schema property holds: ref, text, ref-list, text-list, list or scalar."""
    def one(s: Dict[str, Any]) -> str:
        if "oneOf" in s:
            return "ref" if s["oneOf"][0].get("description") == "a catalog id" else "text"
        return "scalar"

    if prop.get("type") == "array":
        item = one(prop.get("items", {}))
        return {"ref": "ref-list", "text": "text-list"}.get(item, "list")
    return one(prop)


def body(schema: Dict[str, Any], fields: Dict[str, Any]) -> Dict[str, Any]:
    """The JSON body for keyword arguments `fields` of a request with `schema`."""
    props = schema.get("properties", {})
    out: Dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        prop = props.get(name)
        if prop is None:  # not a field of this request: the library names it
            out[name] = value
            continue
        kind = _kind(prop)
        if name in ("date", "as_of"):
            value = date_text(value, name)
        elif name == "dates":
            value = [date_text(v, name) for v in listify(value)]
        elif kind == "ref":
            value = ref(value, name)
        elif kind == "text":
            value = text(value, name)
        elif kind == "ref-list":
            value = [ref(v, name) for v in listify(value)]
        elif kind == "text-list":
            value = [text(v, name) for v in listify(value)]
        elif kind == "list":
            value = [number(v, name) for v in listify(value)]
        else:
            value = number(value, name)
        out[name] = value
    return out


def check_deadline(deadline: Optional[float]) -> Optional[float]:
    """Seconds as a float, or None; a deadline must be a finite number above 0."""
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, numbers.Real):
        raise InputError(
            f"expected a number of seconds, got {type(deadline).__name__}", field="deadline"
        )
    d = float(deadline)
    if not math.isfinite(d) or d <= 0:
        raise InputError(f"must be a number of seconds above 0, got {deadline}", field="deadline")
    return d


def strings(values: Iterable[Any]) -> List[str]:
    return [str(v) for v in values]
