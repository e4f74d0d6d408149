"""The dense half of the index: a FAISS inner-product index that search reads candidates
from, exact (``IndexFlatIP``) up to ``DenseTuning.flat_below`` passages and HNSW above, and
the one in-memory copy of the vectors (a view into FAISS's own storage).

HNSW's parameters were chosen by ``bench/scale.py`` for recall@10 >= 0.95 against exact
search (bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

EXACT_ROWS = 65_536  # a filtered search over at most this many rows is an exact product


@dataclass(frozen=True)
class DenseTuning:
    """Which FAISS index a build writes and how HNSW is searched."""

    flat_below: int = 50_000
    hnsw_m: int = 32
    ef_construction: int = 64
    ef_search: int = 1024

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build(vectors: np.ndarray, tuning: DenseTuning | None = None) -> Any:
    """A FAISS index over ``vectors`` (L2-normalised float32 rows), flat or HNSW by size."""
    import faiss

    tuning = tuning or DenseTuning()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    index: Any
    if len(vectors) < tuning.flat_below:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, tuning.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = tuning.ef_construction
        index.hnsw.efSearch = tuning.ef_search
    index.add(vectors)
    return index


def read(path: Path) -> Any:
    """Memory-mapped where FAISS can: the vectors then live in the page cache, loaded in no
    time and shared by every process on the machine that serves the same index."""
    import faiss

    flag = getattr(faiss, "IO_FLAG_MMAP_IFC", None)
    if flag is not None:
        try:
            return faiss.read_index(str(path), flag)
        except RuntimeError:
            pass  # an index type FAISS cannot map: read it into memory
    return faiss.read_index(str(path))


def vectors_of(index: Any) -> np.ndarray:
    """The stored vectors as a read-only numpy view (no copy); valid while ``index`` lives."""
    import faiss

    flat: Any = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    flat = faiss.downcast_index(flat)
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    view = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)
    view.flags.writeable = False
    return view


def touch(array: np.ndarray) -> None:
    """Read one value of every page of a memory-mapped ``array``, so that searches do not
    each pay for mapping the pages they reach first (about 0.2 s for 1.5 GiB; the pages are
    the page cache's, shared with every process that maps the same file)."""
    flat = array.reshape(-1)
    step = max(1, 4096 // max(1, flat.itemsize))
    if flat.size:
        flat[::step].sum()


def tune(index: Any, tuning: DenseTuning | None = None) -> Any:
    """Apply ``tuning``'s search-time setting to a loaded index (no rebuild needed)."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = (tuning or DenseTuning()).ef_search
    return index


def is_exact(index: Any) -> bool:
    return not hasattr(index, "hnsw")


def top(index: Any, query: np.ndarray, n: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Positions of (about, for HNSW) the ``n`` best rows for ``query``, within ``rows``."""
    import faiss

    total = index.ntotal if rows is None else len(rows)
    n = min(n, total)
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if rows is not None and (is_exact(index) or len(rows) <= EXACT_ROWS):
        scores = vectors_of(index)[rows] @ query
        best = np.argpartition(-scores, n - 1)[:n] if n < len(rows) else np.arange(len(rows))
        return rows[best]
    faiss.omp_set_num_threads(1)  # this thread's searches only: one query, two shared cores
    params = None
    if rows is not None:
        lib: Any = faiss  # the SWIG stubs lack the search-parameter classes
        selector = lib.IDSelectorBatch(rows.astype(np.int64))
        params = (lib.SearchParametersHNSW(sel=selector, efSearch=index.hnsw.efSearch)
                  if hasattr(index, "hnsw") else lib.SearchParameters(sel=selector))
    _, ids = index.search(query[None, :].astype(np.float32), n, params=params)
    found = ids[0]
    return found[found >= 0]


def lowest(index: Any, query: np.ndarray, ef: int = 256) -> int:
    """The row least like ``query``: exact for a flat index; for HNSW a graph search with
    ``ef`` (a cheap one: only the score range for scaling depends on it, and any near-lowest
    row gives nearly the same range)."""
    import faiss

    faiss.omp_set_num_threads(1)
    lib: Any = faiss
    params = lib.SearchParametersHNSW(efSearch=ef) if hasattr(index, "hnsw") else None
    _, ids = index.search(-query[None, :].astype(np.float32), 1, params=params)
    return int(ids[0][0])
