"""Tagged JSON for values kept in the shared cache: what goes in comes out equal, with the same types.

Why not pickle: anyone who can write to Redis could then run code in every app process, and pickle
round trips were not even exact: pandas 3 keeps a missing string as the one `nan` object, and after
unpickling each missing cell was a different `nan`, so a page that looked rows up by (kind, ref) in a
dict failed on every cache hit (54 % of /lagging blocks answered 500 with REDIS_URL set).

Format: JSON where every object is a tag with one key, so user data can never be read as a tag:
  {"d": [[key, value], ...]} dict            {"t": [...]} tuple         {"f": "nan"} non-finite float
  {"date": iso} / {"datetime": iso} / {"ts": iso} / {"dec": text}      {"np": [dtype, value]}
  {"dc": [qualified name, {field: value}]} a dataclass from data_access.queries (nothing else is built)
  {"frame": {...}} / {"series": {...}} pandas objects, column by column with their dtype.
Values of any other type raise TypeError: the cache then keeps them in process memory only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

# Only result types defined in these packages (our own plain value classes) may be rebuilt from the cache.
DATACLASS_MODULES = ("data_access.queries.", "domain.")  # plain value classes of our own
SUPPORTED_DTYPES = ("bool", "int", "uint", "float", "object", "str", "datetime64", "Int", "UInt", "Float", "boolean")


def encode(value: Any) -> bytes:
    """Bytes for Redis; TypeError for a value the codec does not know."""
    return json.dumps(_out(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def decode(raw: bytes | str) -> Any:
    """The value `encode` was given (ValueError for malformed input)."""
    return _in(json.loads(raw))


# --- encoding -----------------------------------------------------------------------------


def _out(value: Any) -> Any:  # noqa: PLR0911 (one branch per type is the clearest form)
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"f": repr(value)}
    if isinstance(value, np.generic):
        return {"np": [value.dtype.str, _out(value.item())]}
    if type(value) is list:
        return [_out(v) for v in value]
    if type(value) is tuple:
        return {"t": [_out(v) for v in value]}
    if type(value) is dict:
        return {"d": [[_out(k), _out(v)] for k, v in value.items()]}
    if type(value) is pd.Timestamp:
        return {"ts": value.isoformat()} if value.tzinfo is None else _refuse(value)
    if type(value) is dt.datetime:
        return {"datetime": value.isoformat()}
    if type(value) is dt.date:
        return {"date": value.isoformat()}
    if type(value) is Decimal:
        return {"dec": str(value)}
    if isinstance(value, pd.DataFrame):
        return {"frame": _frame_out(value)}
    if isinstance(value, pd.Series):
        return {"series": _series_out(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        name = f"{cls.__module__}:{cls.__qualname__}"
        if not cls.__module__.startswith(DATACLASS_MODULES):
            _refuse(value)
        fields = {f.name: _out(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dc": [name, fields]}
    return _refuse(value)


def _refuse(value: Any) -> Any:
    raise TypeError(f"the cache codec does not store {type(value).__name__}")


def _dtype_name(dtype: Any) -> str:
    name = str(dtype)
    if not name.startswith(SUPPORTED_DTYPES) or "," in name:  # time zones are not kept
        raise TypeError(f"the cache codec does not store the dtype {name}")
    return name


def _column_out(series: pd.Series) -> dict[str, Any]:
    dtype = _dtype_name(series.dtype)
    if dtype == "object":
        values = [_out(v) for v in series.tolist()]  # None and nan stay what they were
    elif dtype.startswith("datetime64"):
        values = [None if pd.isna(v) else v.isoformat() for v in series.tolist()]
    else:
        # One missing marker per dtype: decoding with the dtype brings back that dtype's own NA.
        values = [None if _missing(v) else _out(_plain(v)) for v in series.tolist()]
    return {"dtype": dtype, "values": values}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _index_out(index: pd.Index) -> dict[str, Any]:
    if type(index) is pd.RangeIndex:
        return {"range": [index.start, index.stop, index.step], "name": _out(index.name)}
    return {"column": _column_out(pd.Series(index)), "name": _out(index.name)}


def _frame_out(frame: pd.DataFrame) -> dict[str, Any]:
    if isinstance(frame.columns, pd.MultiIndex) or frame.columns.has_duplicates:
        raise TypeError("the cache codec stores frames with unique, flat column names")
    return {
        "names": _index_out(frame.columns),
        "columns": [_column_out(frame.iloc[:, i]) for i in range(frame.shape[1])],
        "index": _index_out(frame.index),
    }


def _series_out(series: pd.Series) -> dict[str, Any]:
    return {"name": _out(series.name), "column": _column_out(series), "index": _index_out(series.index)}


# --- decoding -----------------------------------------------------------------------------


def _in(value: Any) -> Any:  # noqa: PLR0911
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_in(v) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError("malformed cache entry")
    ((tag, body),) = value.items()
    if tag == "t":
        return tuple(_in(v) for v in body)
    if tag == "d":
        return {_in(k): _in(v) for k, v in body}
    if tag == "f":
        return float(body)
    if tag == "np":
        return np.dtype(body[0]).type(_in(body[1]))
    if tag == "date":
        return dt.date.fromisoformat(body)
    if tag == "datetime":
        return dt.datetime.fromisoformat(body)
    if tag == "ts":
        return pd.Timestamp(body)
    if tag == "dec":
        return Decimal(body)
    if tag == "frame":
        return _frame_in(body)
    if tag == "series":
        return pd.Series(_array_in(body["column"]), index=_index_in(body["index"]), name=_in(body["name"]), copy=False)
    if tag == "dc":
        return _dataclass_in(*body)
    raise ValueError(f"unknown cache tag {tag!r}")


def _dataclass_in(name: str, fields: dict[str, Any]) -> Any:
    module_name, _, qualname = name.partition(":")
    module = sys.modules.get(module_name) if module_name.startswith(DATACLASS_MODULES) else None
    cls = getattr(module, qualname, None) if module is not None else None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"not a cacheable result type: {name}")
    return cls(**{key: _in(v) for key, v in fields.items()})


@functools.lru_cache(maxsize=64)
def _dtype(name: str) -> Any:
    return pandas_dtype(_dtype_name(name))


def _array_in(column: dict[str, Any]) -> Any:
    """A column's values as the array pandas keeps for its dtype (built directly: pandas' inference is slow)."""
    name, values = column["dtype"], column["values"]
    dtype = _dtype(name)
    if name == "object":
        data = np.empty(len(values), dtype=object)
        data[:] = [_in(v) for v in values]  # element by element: nested lists stay lists
        return data
    values = [_in(v) if isinstance(v, dict) else v for v in values]  # tagged: non-finite floats
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f":
            values = [np.nan if v is None else v for v in values]
        return np.array(values, dtype=dtype)  # numpy reads ISO dates, and None as NaT
    return pd.array(values, dtype=dtype)


def _index_in(index: dict[str, Any]) -> pd.Index:
    if "range" in index:
        return pd.RangeIndex(*index["range"], name=_in(index["name"]))
    return pd.Index(
        _array_in(index["column"]), dtype=_dtype(index["column"]["dtype"]), name=_in(index["name"]), copy=False
    )


def _frame_in(body: dict[str, Any]) -> pd.DataFrame:
    index = _index_in(body["index"])
    # Series with their dtype: from bare arrays pandas would turn an object column of strings into str.
    columns = {
        i: pd.Series(_array_in(c), index=index, dtype=_dtype(c["dtype"]), copy=False)
        for i, c in enumerate(body["columns"])
    }
    frame = pd.DataFrame(columns, index=index, copy=False) if columns else pd.DataFrame(index=index)
    frame.columns = _index_in(body["names"])
    return frame
