"""Build the O*NET 27.0 sample bundled in ``job2vec/data`` from the raw O*NET files.

Usage::

    python tools/make_onet_data.py ../shared/data/onet_27.0/raw

The raw files are the tab-separated O*NET 27.0 database files (CC BY 4.0, U.S.
Department of Labor, Employment and Training Administration). The output is one
gzip-compressed JSON document with, per occupation: code, official title,
description, task statements, alternate titles and reported titles.
"""

import csv
import glob
import gzip
import io
import json
import os
import sys

OUTPUT = os.path.join(os.path.dirname(__file__), os.pardir, "job2vec", "data", "onet_27_0.json.gz")


def _read_table(raw_dir, name):
    (path,) = glob.glob(os.path.join(raw_dir, f"*{name}.txt.gz"))
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def build(raw_dir):
    occupations = {}
    for row in _read_table(raw_dir, "Occupation_Data"):
        occupations[row["O*NET-SOC Code"]] = {
            "code": row["O*NET-SOC Code"],
            "title": row["Title"].strip(),
            "description": row["Description"].strip(),
            "tasks": [],
            "alternate_titles": [],
            "reported_titles": [],
        }
    for row in _read_table(raw_dir, "Task_Statements"):
        occupations[row["O*NET-SOC Code"]]["tasks"].append(row["Task"].strip())
    for row in _read_table(raw_dir, "Alternate_Titles"):
        occupations[row["O*NET-SOC Code"]]["alternate_titles"].append(row["Alternate Title"].strip())
    for row in _read_table(raw_dir, "Sample_of_Reported_Titles"):
        occupations[row["O*NET-SOC Code"]]["reported_titles"].append(row["Reported Job Title"].strip())
    document = {
        "source": "O*NET 27.0 Database, August 2022 release",
        "license": "CC BY 4.0",
        "attribution": (
            "This data includes information from the O*NET 27.0 Database by the U.S. Department "
            "of Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 "
            "license. O*NET(R) is a trademark of USDOL/ETA."
        ),
        "occupations": sorted(occupations.values(), key=lambda occupation: occupation["code"]),
    }
    buffer = io.BytesIO()
    # mtime=0 keeps the file byte-identical across rebuilds.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    with open(OUTPUT, "wb") as handle:
        handle.write(buffer.getvalue())
    return document


if __name__ == "__main__":
    doc = build(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/onet_27.0/raw")
    occ = doc["occupations"]
    print(
        f"{len(occ)} occupations, {sum(len(o['tasks']) for o in occ)} tasks, "
        f"{sum(len(o['alternate_titles']) for o in occ)} alternate titles, "
        f"{sum(len(o['reported_titles']) for o in occ)} reported titles -> {os.path.normpath(OUTPUT)} "
        f"({os.path.getsize(OUTPUT) / 1e6:.2f} MB)"
    )
