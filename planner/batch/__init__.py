"""Batch route evaluation: many origin-destination pairs in, one result row per input row out.

Read rows (:func:`parse_rows`: CSV or JSON Lines), store them as a durable job
(:class:`JobStore`, SQLite), evaluate them in chunks on a local process pool or a Dask cluster
(:func:`make_executor`, :func:`run_job`), and write the results (:func:`render`). A job
interrupted at any point resumes where it stopped, with no row lost or duplicated.
See docs/batch.md.
"""

from ._count import InputKind, count_rows, read_counted
from ._evaluate import COLUMNS_OUT, ResultLine, RowOutcome, evaluate_row, evaluate_rows, route_line
from ._executors import ChunkExecutor, DaskExecutor, LocalPoolExecutor, NetworkSource, make_executor
from ._json import MAX_JSON_DEPTH, Excess, too_deep
from ._output import OutputFormat, output_format, render, safe_cell, write_atomically
from ._rows import (
    BATCH_ROWS,
    COLUMNS_IN,
    MAX_LINE_CHARS,
    MAX_RECORD_CHARS,
    BatchInputError,
    BatchRow,
    InputFormat,
    JsonBody,
    RowError,
    RowSchema,
    RowStream,
    detect_format,
    number_value,
    parse_csv,
    parse_json_body,
    parse_jsonl,
    parse_objects,
    parse_rows,
    read_text_rows,
    text_value,
    unknown_fields,
)
from ._runner import DEFAULT_CHUNK_ROWS, run_job
from ._store import Job, JobStatus, JobStore, TooManyJobsError, TooManyRowsError

__all__ = [
    "BATCH_ROWS",
    "COLUMNS_IN",
    "COLUMNS_OUT",
    "DEFAULT_CHUNK_ROWS",
    "MAX_JSON_DEPTH",
    "MAX_LINE_CHARS",
    "MAX_RECORD_CHARS",
    "BatchInputError",
    "BatchRow",
    "ChunkExecutor",
    "DaskExecutor",
    "Excess",
    "InputFormat",
    "InputKind",
    "Job",
    "JobStatus",
    "JobStore",
    "JsonBody",
    "LocalPoolExecutor",
    "NetworkSource",
    "OutputFormat",
    "ResultLine",
    "RowError",
    "RowOutcome",
    "RowSchema",
    "RowStream",
    "TooManyJobsError",
    "TooManyRowsError",
    "count_rows",
    "detect_format",
    "evaluate_row",
    "evaluate_rows",
    "make_executor",
    "number_value",
    "output_format",
    "parse_csv",
    "parse_json_body",
    "parse_jsonl",
    "parse_objects",
    "parse_rows",
    "read_counted",
    "read_text_rows",
    "render",
    "route_line",
    "run_job",
    "safe_cell",
    "text_value",
    "too_deep",
    "unknown_fields",
    "write_atomically",
]
