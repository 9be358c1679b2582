"""Layout analysis of OCR boxes for extraction without (or before) a language model.

- :mod:`baselines.layout.lines`: deskew the page from the boxes and group them into lines;
- :mod:`baselines.layout.table`: find indicator tables (header row, columns, rows, repairs);
- :mod:`baselines.layout.groups`: table groups side by side, each read in its own frame;
- :mod:`baselines.layout.butting`: boxes that OCR ran across two butting groups, cut at the boundary;
- :mod:`baselines.layout.freerows`: indicator rows on pages where no header row was read;
- :mod:`baselines.layout.values`: result shapes and marks implied by reference ranges;
- :mod:`baselines.layout.header`: ``label: value`` pairs outside the tables;
- :mod:`baselines.layout.normalize`: OCR artefacts (units, arrows and flags, full-width forms).

:func:`analyse` runs the first four and returns a :class:`Layout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from baselines.layout.butting import split_butting_boxes
from baselines.layout.groups import find_tables
from baselines.layout.lines import Line, layout_lines, lines_text
from baselines.layout.table import Table, table_lines
from benchmark.documents import OcrLine


@dataclass
class Layout:
    lines: list[Line]
    tables: list[Table]

    @property
    def table_line_ids(self) -> set[int]:
        """Lines from a table's header row through its last row."""
        return table_lines(self.tables)

    @property
    def table_box_ids(self) -> set[int]:
        """OCR boxes that a table used (its titles and the boxes of its rows)."""
        return {i for t in self.tables for i in t.boxes}

    def text(self, sep: str = "\t") -> str:
        return lines_text(self.lines, sep)


def analyse(ocr_lines: Sequence[OcrLine], max_cuts: int = 3) -> Layout:
    """Lines and tables of a page; boxes that span two butting table groups are cut first and the
    page laid out again (up to ``max_cuts`` times: a box across three groups is cut twice, and a piece that still
    ends in the next group's row number once more)."""
    lines = layout_lines(ocr_lines)
    for _ in range(max_cuts):
        cut = split_butting_boxes(ocr_lines, lines)
        if cut is None:
            break
        ocr_lines = cut
        lines = layout_lines(ocr_lines)
    return Layout(lines, find_tables(lines))


__all__ = ["Layout", "analyse"]
