#!/usr/bin/env python3
"""Exit 0 if two output folders hold the same result files (spikes.h5 and the state
reports; checkpoints are left out) with byte-identical datasets: same names, dtypes,
shapes and bytes."""
import pathlib
import sys

import h5py


def datasets(group, prefix=""):
    out = {}
    for name, item in group.items():
        path = f"{prefix}/{name}"
        if isinstance(item, h5py.Dataset):
            out[path] = item
        else:
            out.update(datasets(item, path))
    return out


a_dir, b_dir = (pathlib.Path(x) for x in sys.argv[1:3])
names = sorted(p.name for p in a_dir.glob("*.h5") if p.name != "checkpoint.h5")
other = sorted(p.name for p in b_dir.glob("*.h5") if p.name != "checkpoint.h5")
assert names == other, (names, other)
assert "spikes.h5" in names, names
for name in names:
    with h5py.File(a_dir / name, "r") as a, h5py.File(b_dir / name, "r") as b:
        da, db = datasets(a), datasets(b)
        assert sorted(da) == sorted(db), (name, sorted(da), sorted(db))
        for path in da:
            x, y = da[path], db[path]
            assert x.dtype == y.dtype and x.shape == y.shape, (name, path, x.dtype, y.dtype, x.shape, y.shape)
            assert x[()].tobytes() == y[()].tobytes(), f"{name}{path} differs"
print(f"{a_dir} and {b_dir}: identical ({', '.join(names)})")
