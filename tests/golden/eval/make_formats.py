"""Writes formats/ from inspection/cases.yaml: the same six cases as JSON, JSON Lines, CSV and
Excel, so the golden tests can show every format gives the same scores, and bad/E403-excel-cell.xlsx
(one cell wrong). Run after changing the cases: python tests/golden/eval/make_formats.py"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).parent
COLUMNS = ["case", "setting", "age", "office", "A1", "A2", "A3", "B1", "B2"]


def main() -> None:
    cases = yaml.load((HERE / "inspection" / "cases.yaml").read_text(), Loader=yaml.BaseLoader)
    cases = cases["cases"]
    typed = [{key: int(value) if key == "age" else value for key, value in case.items()}
             for case in cases]
    out = HERE / "formats"
    (out / "cases.json").write_text(json.dumps(typed, indent=2) + "\n")
    (out / "cases.jsonl").write_text("".join(json.dumps(case) + "\n" for case in typed))
    with open(out / "cases.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for case in cases:
            writer.writerow([case.get(column, "") for column in COLUMNS])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cases"
    sheet.append(COLUMNS)
    for case in typed:
        sheet.append([case.get(column) for column in COLUMNS])
    workbook.save(out / "cases.xlsx")
    sheet.cell(row=3, column=7, value="perhaps")  # G3: C2's answer to A3
    workbook.save(HERE / "bad" / "E403-excel-cell.xlsx")


if __name__ == "__main__":
    main()
