"""ceiling: may this AI chip go there, and what can it do there? -- in Python.

The engine's library API as a Python module: one method per question, typed answers whose
``to_json()`` is byte for byte the CLI's ``--json`` and the HTTP API's body, pandas frames for
tables, and a bulk path that classifies millions of rows at once.

>>> import ceiling
>>> kb = ceiling.load()                                   # the bundled knowledge base
>>> r = kb.classify("nvidia-h20", "2025-05-01", "CN")
>>> r.license_required, r.measures
(True, ['us-2025-04-h20-letter/h20-letter'])
>>> kb.timeline("nvidia-h20", to="CN").to_frame()          # every change of status
>>> kb.classify_many(df)                                   # df: chip, date, to[, hq] columns
>>> kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1", compare="nvidia-h20")
>>> kb.fleet(pathlib.Path("data/fleets/china-2022-2026.toml")).to_frame("chip")
>>> kb.report("nvidia-h20", "CN").save("h20.html")         # the dossier, one HTML file

Errors raise :class:`InputError` (``.field``, ``.message``, ``.code``), :class:`NoAnswerError`,
:class:`DeadlineExceeded` or :class:`DataError`.
"""

from ._ceiling import __version__  # type: ignore[attr-defined]
from ._bulk import BulkClassification
from ._errors import DataError, DeadlineExceeded, Error, InputError, NoAnswerError
from ._kb import KnowledgeBase, default_data_dir, load, operations, request_schema
from ._results import (
    Capability,
    Chip,
    ChipList,
    Classification,
    Comparison,
    DesignResult,
    Fleet,
    Headroom,
    Index,
    Matrix,
    PerfServe,
    PerfTrain,
    Report,
    Response,
    RulesStatus,
    Timeline,
    WhatIf,
)

__all__ = [
    "__version__",
    "load",
    "default_data_dir",
    "operations",
    "request_schema",
    "KnowledgeBase",
    "Error",
    "InputError",
    "NoAnswerError",
    "DeadlineExceeded",
    "DataError",
    "Response",
    "Chip",
    "ChipList",
    "Classification",
    "Timeline",
    "Matrix",
    "Headroom",
    "WhatIf",
    "PerfServe",
    "PerfTrain",
    "Comparison",
    "DesignResult",
    "Capability",
    "RulesStatus",
    "Index",
    "Fleet",
    "Report",
    "BulkClassification",
]
