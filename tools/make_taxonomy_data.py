"""Build the ESCO and ROME taxonomies bundled in ``job2vec/data`` from the shared data sets.

Usage::

    python tools/make_taxonomy_data.py ../shared/data

Reads ``esco_v1.1.1_en/raw`` (the ESCO v1.1.1 English occupations and ISCO
groups CSV files), ``esco_v1.0_fr_labels/pairs.jsonl.gz`` (ESCO v1.0 French
labels) and ``rome_v460_fr/pairs.jsonl.gz`` (ROME v4.60 appellations with their
métier's definition). Writes one gzip-compressed JSON document per taxonomy,
with only the columns `job2vec.datasets` loads; the text is unchanged.
"""

import csv
import glob
import gzip
import io
import json
import os
import sys

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "job2vec", "data")
ESCO_ATTRIBUTION = ("ESCO classification of the European Commission, used under the CC BY 4.0 licence "
                    "(https://esco.ec.europa.eu). The European Commission has not approved or endorsed "
                    "this re-packaging.")
ROME_ATTRIBUTION = ("Répertoire Opérationnel des Métiers et des Emplois (ROME) v4.60, France Travail, "
                    "Licence Ouverte / Etalab 2.0 (https://www.etalab.gouv.fr/licence-ouverte-open-licence).")


def _csv_rows(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jsonl_rows(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _labels(text):
    return [label.strip() for label in (text or "").split("\n") if label.strip()]


def esco_english(data_dir):
    raw = os.path.join(data_dir, "esco_v1.1.1_en", "raw")
    (occupation_file,) = glob.glob(os.path.join(raw, "*occupations_en.csv.gz"))
    (group_file,) = glob.glob(os.path.join(raw, "*ISCOGroups_en.csv.gz"))
    occupations = []
    for row in _csv_rows(occupation_file):
        preferred = row["preferredLabel"].strip()
        occupations.append({
            "uri": row["conceptUri"], "code": row["code"], "isco_group": row["iscoGroup"], "label": preferred,
            "alt_labels": [label for label in _labels(row["altLabels"]) if label != preferred],
            "description": row["description"].strip(),
        })
    groups = {row["code"]: row["preferredLabel"].strip() for row in _csv_rows(group_file)}
    return {"source": "ESCO v1.1.1, English", "license": "CC BY 4.0", "attribution": ESCO_ATTRIBUTION,
            "occupations": sorted(occupations, key=lambda o: o["uri"]), "isco_groups": groups}


def esco_french(data_dir, english):
    labels = {}
    known = {occupation["uri"] for occupation in english["occupations"]}
    for row in _jsonl_rows(os.path.join(data_dir, "esco_v1.0_fr_labels", "pairs.jsonl.gz")):
        entry = labels.setdefault(row["id"], {"uri": row["id"], "label": row["canonical_title"], "alt_labels": []})
        if row["id"] not in known:  # an occupation v1.1.1 dropped: keep its (English) description here
            entry.update(code="", isco_group="", description=row["description"])
        if row["title"] != entry["label"] and row["title"] not in entry["alt_labels"]:
            entry["alt_labels"].append(row["title"])
    # The French export has no descriptions: the loader pairs these labels with the English ones.
    return {"source": "ESCO v1.0, French labels", "license": "CC BY 4.0", "attribution": ESCO_ATTRIBUTION,
            "occupations": sorted(labels.values(), key=lambda o: o["uri"])}


def rome(data_dir):
    metiers = {}
    for row in _jsonl_rows(os.path.join(data_dir, "rome_v460_fr", "pairs.jsonl.gz")):
        entry = metiers.setdefault(row["rome"], {"code": row["rome"], "label": row["canonical_title"],
                                                 "alt_labels": [], "description": row["description"]})
        if row["title"] != entry["label"]:
            entry["alt_labels"].append(row["title"])
    return {"source": "ROME v4.60 (appellations and métier definitions)", "license": "Licence Ouverte 2.0",
            "attribution": ROME_ATTRIBUTION, "occupations": sorted(metiers.values(), key=lambda o: o["code"])}


def write(document, name):
    buffer = io.BytesIO()
    # mtime=0 keeps the file byte-identical across rebuilds.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    path = os.path.join(DATA, name)
    with open(path, "wb") as handle:
        handle.write(buffer.getvalue())
    print(f"wrote {os.path.normpath(path)} ({len(buffer.getvalue()) / 1e6:.2f} MB, "
          f"{len(document['occupations'])} occupations)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    english = esco_english(sys.argv[1])
    write(english, "esco_1_1_1_en.json.gz")
    write(esco_french(sys.argv[1], english), "esco_1_0_fr.json.gz")
    write(rome(sys.argv[1]), "rome_4_60_fr.json.gz")
