"""psana's calibration tree: `calib/<Group>/<source>/<ctype>/<begin>-<end>.data` text files by run number.

Selection (psana's rule): take the files named `<int>-<int|end>.data`, sort by begin ascending and,
at equal begin, by end descending (`end` is open, the widest); the last one covering the run wins,
that is the latest begin and, at equal begin, the narrowest. Other files (HISTORY, backups such as
`0-end.data-2016-10-27T10:00:00`) are ignored.

Text format: `# KEY value` comment lines, among them `# DTYPE <numpy dtype>`, `# NDIM <n>` and
`# DIM:<i> <len>`, then the values, whitespace-separated; arrays of 3 or more dimensions are written
as 2-D (`size/last` rows of `last` values).
"""

import io
import re

import numpy as np

from ..errors import bad_request

DATA_NAME = re.compile(r"(\d+)-(\d+|end)\.data")
OPEN_END = float("inf")


def parse_data_name(name):
    """'12-34.data' -> (12, 34); '56-end.data' -> (56, None); anything else -> None."""
    match = DATA_NAME.fullmatch(name)
    if not match:
        return None
    end = match.group(2)
    return int(match.group(1)), None if end == "end" else int(end)


def select(names, run):
    """The file name psana would use for run among names, or None."""
    entries = [(parsed, name) for name in names if (parsed := parse_data_name(name))]
    entries.sort(key=lambda item: (item[0][0], -(OPEN_END if item[0][1] is None else item[0][1])))
    chosen = None
    for (begin, end), name in entries:
        if begin <= run and (end is None or run <= end):
            chosen = name
    return chosen


def write_text(array, comments=None):
    """An array (and `# KEY value` comments) in psana's text format."""
    out = io.StringIO()
    for key, value in (comments or {}).items():
        out.write(f"# {key} {value}\n")
    out.write(f"# DTYPE {array.dtype.name}\n# NDIM {array.ndim}\n")
    for index, length in enumerate(array.shape):
        out.write(f"# DIM:{index} {length}\n")
    rows = array.reshape(1, -1) if array.ndim < 2 else array.reshape(-1, array.shape[-1])
    fmt = "%d" if array.dtype.kind in "biu" else "%.7g" if array.dtype.itemsize <= 4 else "%.15g"
    np.savetxt(out, rows, fmt=fmt, delimiter=" ")
    return out.getvalue()


def read_text(text, name="file"):
    """psana text -> (array, comments). Refuses files whose numbers do not fit their declared shape."""
    comments, values = {}, []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            key, _, value = stripped[1:].strip().partition(" ")
            comments[key] = value.strip()
            continue
        values.append(stripped)
    dtype = np.dtype(comments.get("DTYPE", "float64"))
    try:
        data = np.loadtxt(io.StringIO("\n".join(values)), dtype=dtype, ndmin=1) if values else np.array([], dtype)
    except ValueError as error:
        raise bad_request(f"The psana file {name} holds something that is not a number: {error}.") from None
    data = data.reshape(-1)
    if "NDIM" in comments:
        shape = tuple(int(comments[f"DIM:{i}"]) for i in range(int(comments["NDIM"])))
    else:
        shape = (len(values), data.size // max(len(values), 1)) if len(values) > 1 else (data.size,)
    if int(np.prod(shape)) != data.size:
        raise bad_request(f"The psana file {name} declares shape {shape} but holds {data.size} values.")
    return data.reshape(shape), comments
