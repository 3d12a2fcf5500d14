"""Type stub of the compiled core (python/src/module.cc); use `import ceiling`, not this module."""

from typing import Any, List, Optional, Tuple

__version__: str
# The data directory the module was built with (the source tree's data/).
DEFAULT_DATA_DIR: str

# An error as a tuple: (code, field, message, location); field "" when none.
ErrorTuple = Tuple[str, str, str, Optional[str]]

class Int32Array:
    """Per-row outcome indices (int32), readable through the buffer protocol."""
    def __len__(self) -> int: ...

class KnowledgeBase:
    """A loaded, immutable knowledge base (chips, rules, models, ...)."""
    @staticmethod
    def load(data_dir: str) -> Tuple[Optional[ErrorTuple], Optional["KnowledgeBase"]]: ...
    @property
    def data_dir(self) -> str: ...
    def version_json(self) -> str: ...
    def openapi_json(self) -> str: ...
    def run(
        self,
        operation: str,
        body: str,
        deadline: Optional[float] = None,
        interruptible: bool = False,
    ) -> Tuple[Optional[ErrorTuple], Optional[str]]: ...
    def classify_many(
        self,
        chip_values: List[str],
        chip_codes: Any,
        date_values: List[str],
        date_codes: Any,
        to_values: List[str],
        to_codes: Any,
        hq_values: List[str],
        hq_codes: Any,
        options: str,
        deadline: Optional[float] = None,
    ) -> Tuple[Optional[ErrorTuple], Optional[Tuple[str, Int32Array, int]]]: ...

def operations() -> List[Tuple[str, str, str, str, str]]:
    """Every operation: (name, summary, tag, request schema JSON, response schema JSON)."""
    ...
