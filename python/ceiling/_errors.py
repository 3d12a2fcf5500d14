"""The errors ceiling raises.

Every error the engine reports carries the same parts as the JSON API's error object
(``{"error": {"code", "field", "message", "location"}}``): ``code`` (``"invalid-argument"``,
``"not-found"``, ...), ``field`` (the keyword argument at fault, e.g. ``"tp"``, or ``None``),
``message`` (one line, without the argument's name) and ``location`` (``file:line:col`` inside
inline TOML or a data file, or ``None``).

- :class:`InputError` (also a ``ValueError``): bad input -- a wrong type, an unknown id (with
  suggestions), malformed inline TOML, an impossible size.
- :class:`NoAnswerError`: a valid question without an answer (no deployment fits).
- :class:`DeadlineExceeded` (also a ``TimeoutError``): ``deadline=`` stopped the search.
- :class:`DataError`: a data directory that does not load.
"""

from __future__ import annotations

from typing import Optional


class Error(Exception):
    """Base class of the errors ceiling raises."""

    code: str
    field: Optional[str]
    message: str
    location: Optional[str]

    def __init__(
        self,
        message: str,
        field: Optional[str] = None,
        code: str = "invalid-argument",
        location: Optional[str] = None,
    ) -> None:
        self.code = code
        self.field = field or None
        self.message = message
        self.location = location
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.location}: " if self.location else ""
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"

    def to_dict(self) -> dict:
        """The error as the JSON API writes it (the value of its "error" key)."""
        d = {"code": self.code, "field": self.field, "message": self.message}
        if self.location:
            d["location"] = self.location
        return d


class InputError(Error, ValueError):
    """Bad input: the request cannot be answered as asked (HTTP 400, 404, 413)."""


class NoAnswerError(Error):
    """A valid request that has no answer, e.g. no deployment fits in memory (HTTP 422)."""


class DeadlineExceeded(Error, TimeoutError):
    """The deadline stopped the search before it finished (HTTP 503)."""


class DataError(Error):
    """A knowledge base (data directory) that does not load."""


_BY_CODE = {
    "invalid-argument": InputError,
    "parse": InputError,
    "schema": InputError,
    "not-found": InputError,
    "too-large": InputError,
    "inconsistent": InputError,
    "no-answer": NoAnswerError,
    "deadline-exceeded": DeadlineExceeded,
    "io": Error,
}


def from_tuple(err: tuple, data_error: bool = False) -> Error:
    """The exception for an error tuple (code, field, message, location) from _ceiling."""
    code, field, message, location = err
    cls = DataError if data_error else _BY_CODE.get(code, Error)
    return cls(message, field=field or None, code=code, location=location)
