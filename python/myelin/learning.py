"""Model: a classifier of Myelin's learning library, trained on NumPy arrays."""

import json
import os
import threading

import numpy as np

from . import _myelin
from .network import Network


class Model:
    """A classifier: a spiking network trained with surrogate gradients, or a rate network
    (dense or Elman RNN) trained by backpropagation, as `myelin train` trains them.

    Model(config, *, seed=None, threads=None)

    `config` is a training config (docs/learning.md) as a dict or a JSON file; its `data`
    section needs only `classes` (the arrays come to fit()). Training gives the same bits
    for a seed with any number of threads, and the same as `myelin train` on the same data.
    """

    def __init__(self, config, *, seed=None, threads=None):
        if isinstance(config, dict):
            text, shown_as = json.dumps(config), "<dict>"
        elif isinstance(config, (str, os.PathLike)):
            shown_as = os.fspath(config)
            with open(shown_as) as f:
                text = f.read()
        else:
            raise TypeError(f"config: expected a dict or a path, got {type(config).__name__}")
        self._model = _myelin.Model(text, shown_as, seed=seed, threads=threads)

    @classmethod
    def load(cls, path):
        """A model file (`myelin train`'s model.h5, its checkpoint.h5, Model.save, `myelin import`).
        A training checkpoint keeps its optimizer's state: fit() continues the training."""
        m = cls.__new__(cls)
        m._model = _myelin.Model(os.fspath(path))
        return m

    @classmethod
    def from_nir(cls, path, *, dt=None, steps=None):
        """A spiking network from a NIR graph (docs/learning.md#nir); dt in s and steps default to
        the graph's metadata."""
        m = cls.__new__(cls)
        m._model = _myelin.Model.from_nir(os.fspath(path), dt or 0.0, steps or 0)
        return m

    def fit(self, x, y, *, epochs=None, x_test=None, y_test=None):
        """Trains `epochs` more epochs (default: the config's) on samples x features (static) or
        samples x steps x features (binned events) with integer labels y. Returns the history of
        all epochs so far. The learning-rate schedule runs over all epochs trained by the end of
        this call, as `myelin train --epochs` with that total. The GIL is released meanwhile;
        Ctrl-C stops after the current epoch and raises KeyboardInterrupt (the model keeps what
        it learnt)."""
        main = threading.current_thread() is threading.main_thread()
        whole = self._model.fit(_samples(x), _labels(y), epochs, None if x_test is None else _samples(x_test),
                                None if y_test is None else _labels(y_test), handle_signals=main)
        if not whole:
            raise KeyboardInterrupt(f"myelin: training interrupted after epoch {len(self.history['loss'])}; "
                                    "fit() goes on from there")
        return self.history

    def evaluate(self, x, y=None):
        """{"predicted", "logits", "accuracy" (None without y), "spikes_per_neuron", "neuron_spikes"}."""
        return self._model.evaluate(_samples(x), None if y is None else _labels(y))

    def predict(self, x):
        """The predicted class of each sample."""
        return self.evaluate(x)["predicted"]

    def activity(self, x, rows=None, layer=None):
        """The first hidden layer over the steps: steps x samples x units (spikes of a spiking
        layer, activations of a rate layer; one step where it does not change over time). With
        `layer`, that layer of the stack (its index; an image's units are channel-major)."""
        return self._model.activity(_samples(x), None if rows is None else [int(r) for r in rows],
                                    None if layer is None else int(layer))

    @property
    def parameters(self):
        """The parameters by name (copies): W1, W_rec or U, b1, W2, b2, and learnt decays."""
        return self._model.parameters()

    def set_parameter(self, name, value):
        """Replaces a parameter (same shape)."""
        self._model.set_parameter(name, np.asarray(value, dtype=np.float64))

    @property
    def history(self):
        """Per epoch: loss, train_accuracy, test_accuracy, spikes_per_neuron, seconds, learning_rate."""
        return self._model.history()

    @property
    def options(self):
        """kind, inputs, hidden, classes, steps, recurrent, dt (ms), seed, epochs, threads."""
        return self._model.options()

    def save(self, path, *, force=False):
        """Writes a model file (as `myelin train`'s model.h5)."""
        self._model.save(os.fspath(path), force)

    def write_nir(self, path, *, force=False):
        """Writes the spiking network as a NIR graph."""
        self._model.write_nir(os.fspath(path), force)

    def export(self, x, sample, *, label=None, **network_options):
        """The trained spiking network as a simulator Network fed with sample `sample` of x (myelin
        export): it runs with the spikes of training (a spike at index s of activity() is stamped
        (s + 3) dt in population "hidden"), and its classifier says which class it chose. `label`,
        if given, is the sample's true class."""
        config = json.loads(self._model.export_config(_samples(x), int(sample)))
        if label is None:
            config.get("classifier", {}).pop("label", None)
        else:
            config["classifier"]["label"] = int(label)
        return Network(config, **network_options)


def _samples(x):
    return np.ascontiguousarray(x, dtype=np.float64)


def _labels(y):
    return np.ascontiguousarray(y, dtype=np.int64)
