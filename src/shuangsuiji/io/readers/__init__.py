"""Readers for the four input tables: Excel (.xlsx/.xlsm) or CSV → checked domain records.

Every row-level finding comes back as a `Problem` (file, sheet, Excel row number, header text as
written in the file), so `validate` can show all of them at once; only what makes reading
impossible (no file, not a workbook, no such sheet, required columns missing, no data) raises
`InputError`.

The package by concern, in the order a file passes through it:

- `sources` (the interface), `excel`, `delimited`: a file → a grid of raw text columns;
- `header`: the header row found, the columns named (fields.py declares them; the plan may map
  other headers), blank rows dropped; `tables.open_table` does all of this and fingerprints the file;
- `keys`: enterprise keys and 人员编号, normalised alike in every file;
- `values`: cell values (credit classes, flags, dates, ...); `text`: text cleaning;
- `enterprises` (column-wise, for a million rows) and `rosters` (the small tables, row by row);
- `arrow`: numpy ↔ Arrow buffers without pandas; `problems`: findings collected per file.
"""

from __future__ import annotations

from .enterprises import read_enterprises
from .rosters import read_history, read_inspectors, read_recusals
from .sources import file_sha256

__all__ = ["file_sha256", "read_enterprises", "read_history", "read_inspectors", "read_recusals"]
