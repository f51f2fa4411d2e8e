"""myelin.Model against `myelin train`: the same weights, bit for bit, from arrays."""
import json

import numpy as np
import pytest

import myelin


@pytest.fixture(scope="module")
def digits(source_dir):
    data = np.loadtxt(source_dir / "examples/learning/data/digits.csv", delimiter=",")
    x, y = data[:, :-1], data[:, -1].astype(int)
    # The program's reader gives the same arrays.
    x2, y2 = myelin.load_data(source_dir / "examples/learning/data/digits.csv", 10, rows=(1437, 1797))
    assert np.array_equal(x2, x[1437:]) and np.array_equal(y2, y[1437:])
    return x[:1437], y[:1437], x[1437:], y[1437:]


@pytest.mark.parametrize("config", ["digits_snn.json", "digits_ann.json"])
def test_fit_on_arrays_equals_the_program(tmp_path, source_dir, myelin_cli, digits, config):
    path = source_dir / "examples/learning" / config
    myelin_cli("train", path, "--epochs", 2, "--threads", 2, "--output", tmp_path / "cli", "--quiet")
    x, y, x_test, y_test = digits
    model = myelin.Model(path, threads=1)
    history = model.fit(x, y, epochs=1, x_test=x_test, y_test=y_test)
    assert len(history["loss"]) == 1
    history = model.fit(x, y, epochs=1, x_test=x_test, y_test=y_test)  # fit goes on
    trained = myelin.Model.load(tmp_path / "cli/model.h5")
    for name, value in trained.parameters.items():
        assert np.array_equal(model.parameters[name], value), name
    for key in ("loss", "train_accuracy", "test_accuracy"):
        assert np.array_equal(history[key], trained.history[key]), key
    ev = model.evaluate(x_test, y_test)
    assert ev["accuracy"] == history["test_accuracy"][-1] > 0.5
    assert np.array_equal(model.predict(x_test), ev["predicted"])
    assert ev["logits"].shape == (len(x_test), 10)


def test_activity_export_and_files(tmp_path, source_dir, digits):
    x, y, x_test, y_test = digits
    config = json.loads((source_dir / "examples/learning/digits_snn.json").read_text())
    del config["data"]["train"], config["data"]["test"]  # arrays instead
    config["training"]["epochs"] = 1
    model = myelin.Model(config, seed=3)
    model.fit(x[:300], y[:300])
    spikes = model.activity(x_test, rows=[0, 1, 2])
    assert spikes.shape == (50, 3, 128) and set(np.unique(spikes)) <= {0.0, 1.0}
    # The exported network fires as the trained one (weights as float): training step t
    # (1-based; activity()'s index t - 1) is stamped (t + 2) dt.
    model.set_parameter("W1", model.parameters["W1"].astype(np.float32).astype(np.float64))
    model.set_parameter("W2", model.parameters["W2"].astype(np.float32).astype(np.float64))
    net = model.export(x_test, 0, label=y_test[0], threads=1)
    net.run(model.options["steps"] * model.options["dt"] + 2.0)
    times, ids = net.spikes("hidden")
    steps, neurons = np.nonzero(model.activity(x_test, rows=[0])[:, 0, :])
    expected = sorted(zip((steps + 3) * model.options["dt"], neurons))
    assert sorted(zip(np.round(times, 9), ids)) == [(float(t), n) for t, n in expected]
    model.save(tmp_path / "m.h5")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.h5")
    again = myelin.Model.load(tmp_path / "m.h5")
    assert np.array_equal(again.evaluate(x_test)["logits"], model.evaluate(x_test)["logits"])
    model.write_nir(tmp_path / "m.nir")
    from_nir = myelin.Model.from_nir(tmp_path / "m.nir")
    assert np.array_equal(from_nir.predict(x_test[:50]), model.predict(x_test[:50]))


def test_bad_arrays_raise_value_error(source_dir, digits):
    x, y, _, _ = digits
    model = myelin.Model(source_dir / "examples/learning/digits_ann.json")
    with pytest.raises(ValueError, match=r"label 10 \(sample 0\); must be in \[0, 10\)"):
        model.fit(x[:2], [10, 1], epochs=1)
    with pytest.raises(ValueError, match="3 labels for 2 samples"):
        model.fit(x[:2], [1, 2, 3], epochs=1)
    model.fit(x[:64], y[:64], epochs=1)
    with pytest.raises(ValueError, match="63 features per sample; the network has 64 inputs"):
        model.evaluate(x[:5, :63])
    with pytest.raises(ValueError, match="'W9'; the network's parameters: W1, b1, W2, b2"):
        model.set_parameter("W9", np.zeros((1, 1)))
    with pytest.raises(ValueError, match=r"<dict>: network\.hidden"):
        myelin.Model({"network": {"kind": "rate", "hidden": -1}, "data": {"classes": 2}, "training": {}})


def test_load_data_bins_event_files(tmp_path):
    import h5py

    path = tmp_path / "shd.h5"
    with h5py.File(path, "w") as f:  # the Spiking Heidelberg Digits layout
        times = f.create_dataset("spikes/times", (2,), dtype=h5py.vlen_dtype(np.float32))
        units = f.create_dataset("spikes/units", (2,), dtype=h5py.vlen_dtype(np.uint16))
        times[0], times[1] = np.array([0.001, 0.010, 0.030, 0.099, 0.2], np.float32), np.array([0.05], np.float32)
        units[0], units[1] = np.array([2, 2, 0, 5, 1], np.uint16), np.array([3], np.uint16)
        f["labels"] = np.array([1, 0], np.uint8)
    x, y = myelin.load_data(path, 2, steps=4, duration=0.1)
    assert x.shape == (2, 4, 6) and list(y) == [1, 0]
    assert x[0, 0, 2] == 2 and x[0, 1, 0] == 1 and x[0, 3, 5] == 1 and x[0].sum() == 4  # 0.2 s is past the end
    assert x[1, 2, 3] == 1 and x[1].sum() == 1
    with pytest.raises(FileNotFoundError):
        myelin.load_data(tmp_path / "none.csv", 10)


def test_a_cosine_schedule_runs_over_the_epochs_of_the_call(tmp_path, source_dir, myelin_cli, digits):
    config = json.loads((source_dir / "examples/learning/digits_ann.json").read_text())
    for part in ("train", "test"):
        config["data"][part]["file"] = str(source_dir / "examples/learning/data/digits.csv")
    config["schedule"] = {"kind": "cosine", "min_lr": 1e-4}
    path = tmp_path / "cosine.json"
    path.write_text(json.dumps(config))
    myelin_cli("train", path, "--epochs", 3, "--output", tmp_path / "cli", "--quiet")
    x, y, x_test, y_test = digits
    model = myelin.Model(path)
    model.fit(x, y, epochs=3, x_test=x_test, y_test=y_test)
    trained = myelin.Model.load(tmp_path / "cli/model.h5")
    assert np.array_equal(model.history["learning_rate"], trained.history["learning_rate"])
    assert len(set(model.history["learning_rate"])) == 3  # it does decay
    assert np.array_equal(model.parameters["W1"], trained.parameters["W1"])


def test_a_layer_stack_from_a_dict_trains_and_shows_every_layer(tmp_path, source_dir, myelin_cli, digits):
    x, y, x_test, y_test = digits
    config = json.loads((source_dir / "examples/learning/digits_snn.json").read_text())
    config["network"] = {"input_shape": [1, 8, 8], "steps": 10,
                         "layers": [{"conv2d": {"channels": 4, "kernel": 3, "padding": 1}}, {"lif": {}},
                                    {"sum_pool": {"kernel": 2}}, {"flatten": {}},
                                    {"dense": {"units": 32}}, {"alif": {"recurrent": True}},
                                    {"dense": {"units": 10, "bias": False}}, {"li_readout": {}}]}
    config["training"]["epochs"] = 2
    config["training"]["threads"] = 2
    for part in ("train", "test"):
        config["data"][part]["file"] = str(source_dir / "examples/learning" / config["data"][part]["file"])
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(config))
    myelin_cli("train", path, "--output", tmp_path / "cli", "--quiet")
    model = myelin.Model(path)
    model.fit(x, y, x_test=x_test, y_test=y_test)
    assert model.options["kind"] == "stack"
    trained = myelin.Model.load(tmp_path / "cli/model.h5")
    assert sorted(trained.parameters) == ["0.W", "0.b", "4.W", "4.b", "5.W_rec", "6.W"]
    for name, value in trained.parameters.items():
        assert np.array_equal(model.parameters[name], value), name
    assert model.evaluate(x_test, y_test)["accuracy"] > 0.5
    conv = model.activity(x_test, rows=[0, 1], layer=0)
    assert conv.shape == (1, 2, 4 * 8 * 8)  # computed once: the input is static
    spikes = model.activity(x_test, rows=[0, 1])
    assert spikes.shape == (10, 2, 256) and set(np.unique(spikes)) <= {0.0, 1.0}
    assert np.array_equal(spikes, model.activity(x_test, rows=[0, 1], layer=1))
    assert model.activity(x_test, rows=[0], layer=7).shape == (1, 1, 10)
    with pytest.raises(ValueError, match="layer: 8; the network has layers 0 to 7"):
        model.activity(x_test, layer=8)
    with pytest.raises(ValueError, match=r"layer 5 \(alif\): NIR has no adaptive LIF node"):
        model.write_nir(tmp_path / "stack.nir")
    net = model.export(x_test, 5, label=y_test[5], threads=1)  # the conv stack in the simulator
    net.run(model.options["steps"] * model.options["dt"] + 4.0)
    times, ids = net.spikes("hidden1")
    assert len(times) > 0
