"""Stored figures as JSON numbers: one conversion for every reader, so REST and GraphQL print the same digits.

Figures are exact decimals (``NUMERIC(28, 6)``).  Served, an integral one is
a JSON integer and any other a float.  Values come either through
SQLAlchemy's ``Numeric`` (a ``Decimal``) or, on the hot paths that skip its
result processing, straight from the driver: an int or float from SQLite, a
``Decimal`` from psycopg.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_FLOAT_EXACT = 2**53  # integers below this survive a trip through a C double unchanged


def json_number(v: Decimal | None) -> int | float | None:
    """JSON value for an exact decimal: int when integral, else a float."""
    if v is None:
        return None
    if v == v.to_integral_value():
        return int(v)
    return float(v.normalize())


def exact(v: Any) -> int | Decimal | None:
    """A driver's numeric value as an int when integral, else the Decimal SQLAlchemy's Numeric would give.

    SQLite returns an INTEGER or a REAL (Numeric reads both through the
    format ``%.6f``, which is exact for integers below 2**53); psycopg returns
    a Decimal.  Ints keep the common case free of Decimal arithmetic.
    """
    if type(v) is int:
        if -_FLOAT_EXACT < v < _FLOAT_EXACT:
            return v
        d = Decimal(f"{v:.6f}")  # SQLAlchemy formats with "%.6f": the same digits
    elif v is None:
        return None
    elif type(v) is float:
        d = Decimal(f"{v:.6f}")
    else:
        d = v
    i = int(d)
    return i if i == d else d


def served(v: int | Decimal | None) -> int | float | None:
    """``json_number`` of an ``exact`` value."""
    if v is None or type(v) is int:
        return v
    return float(v)  # an exact() Decimal is not integral; float() of it equals float() of its normal form


def driver_number(v: Any) -> int | float | None:
    """``json_number`` of a value as the driver returns it."""
    return served(exact(v))
