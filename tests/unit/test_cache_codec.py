"""The shared cache's codec: whatever a query returns comes back from Redis equal and of the same types
(a missing string stays the one `nan` pandas uses, not a copy that no dict lookup finds), and nothing
but data is ever built from what Redis holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import pickle
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access import cache_codec
from data_access.queries.lagging import LaggingPage
from data_access.queries.rankings import RankedUnit
from data_access.queries.units import UnitFigures


def assert_same(a: Any, b: Any, path: str = "value") -> None:
    """Equal, of the same types all the way down; missing values keep their kind (None, nan, NaT, NA)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True, check_column_type=True)
        _same_cells(list(a.index), list(b.index), f"{path}.index")
        for i in range(a.shape[1]):
            _same_cells(a.iloc[:, i].tolist(), b.iloc[:, i].tolist(), f"{path}[{a.columns[i]!r}]")
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, check_index_type=True)
        _same_cells(a.tolist(), b.tolist(), path)
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        _same_cells(list(a), list(b), f"{path}.keys")
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    else:
        _same_cells([a], [b], path)


def _same_cells(xs: list[Any], ys: list[Any], path: str) -> None:
    assert len(xs) == len(ys), path
    for x, y in zip(xs, ys, strict=True):
        assert type(x) is type(y), f"{path}: {x!r} ({type(x).__name__}) != {y!r} ({type(y).__name__})"
        # pandas' own missing string is the np.nan object: code that keys a dict by cells relies on that.
        assert (x is np.nan) == (y is np.nan), f"{path}: {x!r} is np.nan on one side only"
        both_nan = isinstance(x, float) and math.isnan(x) and math.isnan(y)
        assert both_nan or x is y or x == y, f"{path}: {x!r} != {y!r}"
        if isinstance(x, float) and x == 0:
            assert math.copysign(1, x) == math.copysign(1, y), path


def round_trip(value: Any) -> Any:
    return cache_codec.decode(cache_codec.encode(value))


TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
DATETIMES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31))
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    FLOATS,
    TEXT,
    DATES,
    DATETIMES,
    st.decimals(allow_nan=False, allow_infinity=False),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.floats(allow_nan=False).map(np.float64),
)
KEYS = st.one_of(st.none(), st.integers(), TEXT, st.tuples(TEXT, st.one_of(st.none(), TEXT)))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple), st.dictionaries(KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    rows = st.lists
    kinds = {
        "int64": rows(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n),
        "float64": rows(FLOATS, min_size=n, max_size=n),
        "str": rows(st.one_of(st.none(), TEXT), min_size=n, max_size=n),
        "object": rows(st.one_of(st.none(), TEXT, DATES, st.just(float("nan")), st.integers()), min_size=n, max_size=n),
        "datetime64[us]": rows(st.one_of(st.none(), DATETIMES), min_size=n, max_size=n),
        "bool": rows(st.booleans(), min_size=n, max_size=n),
        "Int64": rows(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=n, max_size=n),
    }
    names = draw(st.lists(st.sampled_from(sorted(kinds)), max_size=6))
    frame = pd.DataFrame({f"c{i}_{k}": pd.Series(draw(kinds[k]), dtype=k) for i, k in enumerate(names)}, index=range(n))
    how = draw(st.sampled_from(["range", "shuffled", "by_column"]))
    if how == "shuffled":
        frame = frame.iloc[draw(st.permutations(range(n)))]
    elif how == "by_column" and names:
        frame = frame.set_index(frame.columns[0])
    return frame


@settings(max_examples=300, deadline=None)
@given(value=VALUES)
def test_plain_values_round_trip_exactly(value: Any) -> None:
    assert_same(value, round_trip(value))


@settings(max_examples=200, deadline=None)
@given(frame=frames())
def test_frames_round_trip_exactly(frame: pd.DataFrame) -> None:
    assert_same(frame, round_trip(frame))


def test_a_missing_source_reference_still_finds_its_row_after_the_round_trip() -> None:
    """The /lagging bug: rows were looked up by (kind, ref) in a dict built from the same frame."""
    fresh = pd.DataFrame(
        {"source_kind": ["regular_work", "regular_work", "key_task"], "source_ref": [None, None, "57-NQ/TW"]}
    )
    for frame in (fresh, round_trip(fresh)):
        pairs = frame[["source_kind", "source_ref"]].drop_duplicates().itertuples(index=False)
        sources = {(k, r): f"{k} {r}" for k, r in pairs}
        assert [sources[(r.source_kind, r.source_ref)] for r in frame.itertuples()]
    broken = pickle.loads(pickle.dumps(fresh))  # what Redis used to give back
    sources = {(k, r): k for k, r in broken[["source_kind", "source_ref"]].drop_duplicates().itertuples(index=False)}
    with pytest.raises(KeyError):
        [sources[(r.source_kind, r.source_ref)] for r in broken.itertuples()]


def test_result_dataclasses_round_trip() -> None:
    figures = UnitFigures(1, "Thành phố", "city", None, 3, 1, 1, 0, 1, 0, 4, 2, 1, 0)
    ranked = {"ward": [RankedUnit(1, 8, "Phường Hoàn Kiếm", "ward", 0.75, None, "Chỉ tiêu A", None)]}
    page = LaggingPage(pd.DataFrame({"indicator_id": [3, 4], "gap": [0.5, float("nan")]}), 2)
    for value in (figures, ranked, page, (figures, [figures], Decimal("1.50"))):
        assert_same(value, round_trip(value))


@dataclasses.dataclass
class NotAResult:
    x: int


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        object(),
        NotAResult(1),
        pd.DataFrame({"c": pd.Categorical(["a"])}),
        pd.DataFrame({"t": pd.to_datetime(["2026-01-01"]).tz_localize("UTC")}),
    ],
)
def test_values_it_does_not_know_are_refused_not_mangled(value: Any) -> None:
    with pytest.raises(TypeError):
        cache_codec.encode(value)


@pytest.mark.parametrize(
    "raw",
    [
        pickle.dumps({"score": 0.8}),
        b'{"dc": ["os:system", {}]}',
        b'{"dc": ["tests.unit.test_cache_codec:NotAResult", {"x": 1}]}',
        b'{"zz": 1}',
        b'{"a": 1, "b": 2}',
    ],
)
def test_only_data_is_built_from_what_redis_holds(raw: bytes) -> None:
    with pytest.raises(ValueError):
        cache_codec.decode(raw)
