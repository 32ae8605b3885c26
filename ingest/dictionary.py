"""The metric dictionary: one source for extraction codes, API labels and CSV columns.

``data/dictionary/*.csv`` is the project's copy of the data contract, extended
with English labels and descriptions.  Extractors validate the codes they emit
against it, the database is seeded from it, and the API serves its labels.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DICTIONARY_DIR = DATA_DIR / "dictionary"

OPTIONAL_DIMENSIONS = ("subunit", "period")


@dataclass(frozen=True)
class MetricDef:
    code: str
    category: str
    label_zh: str
    label_en: str
    description: str
    unit: str
    dims: tuple[str, ...]
    formats: tuple[str, ...]
    template_ref: str


@dataclass(frozen=True)
class DimensionMember:
    dimension: str
    member: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class CategoryDef:
    code: str
    label_zh: str
    label_en: str
    description: str
    sort: int


@dataclass(frozen=True)
class Dictionary:
    metrics: dict[str, MetricDef]
    dimensions: tuple[DimensionMember, ...]
    categories: dict[str, CategoryDef]

    def members(self, dimension: str) -> set[str]:
        return {d.member for d in self.dimensions if d.dimension == dimension}

    @property
    def dimension_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for d in self.dimensions:
            seen.setdefault(d.dimension, None)
        return tuple(seen)

    def complete_dims(self, metric: str, dims: dict[str, str]) -> dict[str, str]:
        """Every dimension the metric declares, ``total`` where not broken down."""
        out = {name: dims.get(name, "total") for name in self.metrics[metric].dims}
        for name in OPTIONAL_DIMENSIONS:
            if dims.get(name):
                out[name] = dims[name]
        return out

    def validate(self, metric: str, dims: dict[str, str]) -> None:
        """Raise ValueError when a code or a dimension member is not in the dictionary."""
        if metric not in self.metrics:
            raise ValueError(f"unknown metric code {metric!r}")
        declared = set(self.metrics[metric].dims)
        for name, member in dims.items():
            if name in OPTIONAL_DIMENSIONS:
                if name == "period" and member != "cumulative":
                    raise ValueError(f"period must be 'cumulative', got {member!r}")
                continue
            if name not in declared:
                raise ValueError(f"metric {metric} has no dimension {name!r}")
            if member not in self.members(name):
                raise ValueError(f"unknown member {member!r} of dimension {name!r}")
        missing = declared - set(dims)
        if missing:
            raise ValueError(f"metric {metric} lacks dimensions {sorted(missing)}")


def _rows(name: str) -> list[dict[str, str]]:
    with (DICTIONARY_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_dictionary() -> Dictionary:
    metrics = {
        r["code"]: MetricDef(
            code=r["code"],
            category=r["category"],
            label_zh=r["label_zh"],
            label_en=r.get("label_en", "") or "",
            description=r.get("description", "") or "",
            unit=r["unit"],
            dims=tuple((r.get("dims") or "").split()),
            formats=tuple((r.get("formats") or "").split()),
            template_ref=r.get("template_ref", "") or "",
        )
        for r in _rows("metrics.csv")
    }
    dimensions = tuple(
        DimensionMember(r["dimension"], r["member"], r["label_zh"], r.get("label_en", "") or "")
        for r in _rows("dimensions.csv")
    )
    categories = {
        r["code"]: CategoryDef(
            r["code"], r["label_zh"], r.get("label_en", "") or "", r.get("description", "") or "",
            int(r.get("sort") or 0),
        )
        for r in _rows("categories.csv")
    }
    return Dictionary(metrics, dimensions, categories)
