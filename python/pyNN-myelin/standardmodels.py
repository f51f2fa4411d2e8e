"""PyNN's standard cells, synapses and current sources on Myelin's models.

Units: PyNN uses ms, mV, nA, nF and uS; Myelin's models keep NEST's names and units (pA,
pF, nS), so currents, capacitances and conductances are scaled by 1000 on the way in and
divided on the way out (translations below; `get` returns the value given to `set`).
Weights stay in PyNN's units in the projections and are scaled when the config is made:
x 1000 (nA -> pA, uS -> nS), except where a model's weight is a voltage jump in mV
(IF_curr_delta, Izhikevich: `receptor_scale` 1e-3 undoes it, as in pyNN.nest).
Devices and spike sources act at the times given (no shift by min_delay as in pyNN.nest:
Myelin's spike sources are neurons, not devices behind parrots).
"""

import numpy as np
from pyNN.standardmodels import cells, synapses, electrodes, build_translations, StandardCurrentSource
from pyNN.parameters import ParameterSpace, Sequence
from pyNN import errors

from . import simulator

# PyNN's state variables: (Myelin's name, factor from PyNN's unit to Myelin's)
_LIF_CURR = {"v": ("V_m", 1.0), "isyn_exc": ("I_syn_ex", 1000.0), "isyn_inh": ("I_syn_in", 1000.0)}
_LIF_COND = {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1000.0), "gsyn_inh": ("g_in", 1000.0)}
_LIF_COND_ALPHA = dict(_LIF_COND, **{"dgsyn_exc": ("dg_ex", 1000.0), "dgsyn_inh": ("dg_in", 1000.0)})
_AEIF = dict(_LIF_COND, w=("w", 1000.0))
_AEIF_ALPHA = dict(_LIF_COND_ALPHA, w=("w", 1000.0))

_LIF_CURR_TRANSLATIONS = (
    ("v_rest", "E_L"),
    ("v_reset", "V_reset"),
    ("cm", "C_m", 1000.0),
    ("tau_m", "tau_m"),
    ("tau_refrac", "t_ref"),
    ("v_thresh", "V_th"),
    ("i_offset", "I_e", 1000.0),
)
_LIF_COND_TRANSLATIONS = (
    ("v_rest", "E_L"),
    ("v_reset", "V_reset"),
    ("cm", "C_m", 1000.0),
    ("tau_m", "g_L", "cm/tau_m*1000.0", "C_m/g_L"),
    ("tau_refrac", "t_ref"),
    ("tau_syn_E", "tau_syn_ex"),
    ("tau_syn_I", "tau_syn_in"),
    ("v_thresh", "V_th"),
    ("i_offset", "I_e", 1000.0),
    ("e_rev_E", "E_ex"),
    ("e_rev_I", "E_in"),
)
_AEIF_TRANSLATIONS = (
    ("cm", "C_m", 1000.0),
    ("tau_refrac", "t_ref"),
    ("v_spike", "V_peak"),
    ("v_reset", "V_reset"),
    ("v_rest", "E_L"),
    ("tau_m", "g_L", "cm/tau_m*1000.0", "C_m/g_L"),
    ("i_offset", "I_e", 1000.0),
    ("a", "a"),
    ("b", "b", 1000.0),
    ("delta_T", "Delta_T"),
    ("tau_w", "tau_w"),
    ("v_thresh", "V_th"),
    ("e_rev_E", "E_ex"),
    ("tau_syn_E", "tau_syn_ex"),
    ("e_rev_I", "E_in"),
    ("tau_syn_I", "tau_syn_in"),
)


class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = build_translations(*_LIF_CURR_TRANSLATIONS, ("tau_syn_E", "tau_syn_ex"),
                                      ("tau_syn_I", "tau_syn_in"))
    myelin_model = "iaf_psc_exp"
    myelin_state = _LIF_CURR


class IF_curr_alpha(cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    translations = build_translations(*_LIF_CURR_TRANSLATIONS, ("tau_syn_E", "tau_syn_ex"),
                                      ("tau_syn_I", "tau_syn_in"))
    myelin_model = "iaf_psc_alpha"
    myelin_state = dict(_LIF_CURR, **{"disyn_exc": ("dI_syn_ex", 1000.0), "disyn_inh": ("dI_syn_in", 1000.0)})


class IF_curr_delta(cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    translations = build_translations(*_LIF_CURR_TRANSLATIONS)
    myelin_model = "iaf_psc_delta"
    myelin_state = {"v": ("V_m", 1.0)}
    receptor_scale = 1e-3  # weights are voltage jumps in mV


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = build_translations(*_LIF_COND_TRANSLATIONS)
    myelin_model = "iaf_cond_exp"
    myelin_state = _LIF_COND


class IF_cond_alpha(cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    translations = build_translations(*_LIF_COND_TRANSLATIONS)
    myelin_model = "iaf_cond_alpha"
    myelin_state = _LIF_COND_ALPHA


class EIF_cond_exp_isfa_ista(cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    translations = build_translations(*_AEIF_TRANSLATIONS)
    myelin_model = "aeif_cond_exp"
    myelin_state = _AEIF


class EIF_cond_alpha_isfa_ista(cells.EIF_cond_alpha_isfa_ista):
    __doc__ = cells.EIF_cond_alpha_isfa_ista.__doc__
    translations = build_translations(*_AEIF_TRANSLATIONS)
    myelin_model = "aeif_cond_alpha"
    myelin_state = _AEIF_ALPHA


class Izhikevich(cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    translations = build_translations(
        ("a", "a"),
        ("b", "b"),
        ("c", "c"),
        ("d", "d"),
        ("i_offset", "I_e", 1000.0),
    )
    myelin_model = "izhikevich"
    myelin_state = {"v": ("V_m", 1.0), "u": ("U_m", 1.0)}
    receptor_scale = 1e-3  # weights are voltage jumps in mV


class HH_cond_exp(cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__
    translations = build_translations(
        ("gbar_Na", "g_Na", 1000.0),
        ("gbar_K", "g_K", 1000.0),
        ("g_leak", "g_L", 1000.0),
        ("cm", "C_m", 1000.0),
        ("v_offset", "V_T"),
        ("e_rev_Na", "E_Na"),
        ("e_rev_K", "E_K"),
        ("e_rev_leak", "E_L"),
        ("e_rev_E", "E_ex"),
        ("e_rev_I", "E_in"),
        ("tau_syn_E", "tau_syn_ex"),
        ("tau_syn_I", "tau_syn_in"),
        ("i_offset", "I_e", 1000.0),
    )
    myelin_model = "hh_cond_exp_traub"
    myelin_state = dict(_LIF_COND, m=("Act_m", 1.0), h=("Inact_h", 1.0), n=("Act_n", 1.0))


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = build_translations(
        ("rate", "rate"),
        ("start", "start"),
        ("duration", "stop", "start+duration", "stop-start"),
    )
    myelin_model = "spike_source_poisson"
    myelin_state = {}


class SpikeSourcePoissonRefractory(cells.SpikeSourcePoissonRefractory):
    __doc__ = cells.SpikeSourcePoissonRefractory.__doc__
    translations = build_translations(
        ("rate", "rate"),
        ("tau_refrac", "tau_refrac"),
        ("start", "start"),
        ("duration", "stop", "start+duration", "stop-start"),
    )
    myelin_model = "spike_source_poisson_refractory"
    myelin_state = {}


class SpikeSourceGamma(cells.SpikeSourceGamma):
    __doc__ = cells.SpikeSourceGamma.__doc__
    translations = build_translations(
        ("alpha", "alpha"),
        ("beta", "beta"),
        ("start", "start"),
        ("duration", "stop", "start+duration", "stop-start"),
    )
    myelin_model = "spike_source_gamma"
    myelin_state = {}


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = build_translations(("spike_times", "spike_times"))
    myelin_model = "spike_source_array"
    myelin_state = {}


# Synapses ---------------------------------------------------------------------------------
# Weights and delays keep PyNN's units here (see the module's docstring).

class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    myelin_model = None

    def _get_minimum_delay(self):
        return simulator.state.min_delay


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = build_translations(
        ("weight", "weight"),
        ("delay", "delay"),
        ("U", "U"),
        ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_fac"),
    )

    myelin_model = "tsodyks_synapse"
    # NEST's tsodyks_synapse needs the decay of the postsynaptic current it feeds: the
    # projection gives each synapse its target's synaptic time constant as tau_psc
    needs_tau_psc = True

    def _get_minimum_delay(self):
        return simulator.state.min_delay


# Current sources --------------------------------------------------------------------------

class _CurrentSource(StandardCurrentSource):
    """A Myelin stimulus device per PyNN current source: one entry of the config's stimuli,
    its targets the cells it was injected into, its parameters changed between runs with
    Network.set_stimulus."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_cells", [])
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_names", [])
        super(StandardCurrentSource, self).__init__(**parameters)
        parameter_space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        parameter_space.update(**parameters)
        self.set_native_parameters(self.translate(parameter_space))
        simulator.state.current_sources.append(self)

    def inject_into(self, cells):
        for cell in cells:
            if not cell.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        simulator.state.changed_structure("injecting current")
        self._cells.extend(cells)

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        native = {}
        for name, value in parameters.items():
            native[name] = value.value if isinstance(value, Sequence) else value
        self._check(dict(self._native, **native))
        self._native.update(native)
        network = simulator.state.network
        if network is not None and self._names:
            values = self._myelin_params()
            for name in self._names:
                network.set_stimulus(name, **values)

    def get_native_parameters(self):
        return ParameterSpace({k: (Sequence(v) if isinstance(v, np.ndarray) else v) for k, v in self._native.items()},
                              shape=(1,))

    def _check(self, native):
        pass

    def _configs(self):
        """The config's stimuli entries: one per target population."""
        by_population = {}
        for cell in self._cells:
            population = cell.parent
            by_population.setdefault(id(population), (population, []))[1].append(population.id_to_index(cell))
        entries = []
        self._names = []
        for population, indices in by_population.values():
            name = f"current_{simulator.state.current_sources.index(self)}_{population._myelin_name}"
            self._names.append(name)
            entries.append({"model": self.myelin_model, "name": name,
                            "targets": [{"population": population._myelin_name, "neurons": sorted(set(indices))}],
                            "params": self._myelin_params()})
        return entries

    def record(self):
        object.__setattr__(self, "_recording", True)

    def _get_data(self):
        """The injected current at every step from 0 to t (nA), from the parameters as Myelin
        applies them: a value per step, taken at the step's start."""
        dt = simulator.state.dt
        steps = int(round(simulator.state.t / dt)) + 1
        times = np.arange(steps) * dt
        return times, self._current(times)

    def _active(self, times):
        start = self._native.get("start", 0.0)
        stop = self._native.get("stop", np.inf)
        eps = 1e-9 * simulator.state.dt
        return (times >= start - eps) & (times < stop - eps)


class DCSource(_CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = build_translations(("amplitude", "amplitude"), ("start", "start"), ("stop", "stop"))
    myelin_model = "dc_generator"

    def _myelin_params(self):
        n = self._native
        return {"amplitude": 1000.0 * n["amplitude"], "start": n["start"], "stop": _stop(n["stop"])}

    def _current(self, times):
        return np.where(self._active(times), self._native["amplitude"], 0.0)


class ACSource(_CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = build_translations(
        ("amplitude", "amplitude"), ("offset", "offset"), ("frequency", "frequency"), ("phase", "phase"),
        ("start", "start"), ("stop", "stop"))
    myelin_model = "ac_generator"

    def _myelin_params(self):
        n = self._native
        return {"amplitude": 1000.0 * n["amplitude"], "offset": 1000.0 * n["offset"], "frequency": n["frequency"],
                "phase": n["phase"], "start": n["start"], "stop": _stop(n["stop"])}

    def _current(self, times):
        n = self._native
        value = n["offset"] + n["amplitude"] * np.sin(2 * np.pi * n["frequency"] * times / 1000.0
                                                       + np.deg2rad(n["phase"]))
        return np.where(self._active(times), value, 0.0)


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = build_translations(("amplitudes", "amplitudes"), ("times", "times"))
    myelin_model = "step_current_generator"

    def _check(self, native):
        times = np.asarray(native.get("times", []), dtype=float)
        amplitudes = np.asarray(native.get("amplitudes", []), dtype=float)
        if times.size != amplitudes.size:
            raise ValueError("StepCurrentSource: times and amplitudes must have the same length "
                             f"({times.size} and {amplitudes.size})")
        if np.any(times < 0):
            raise ValueError("Step current cannot accept negative timestamps.")
        if np.any(np.diff(times) <= 0):
            raise ValueError("Step current timestamps should be monotonically increasing.")

    def _steps(self):
        """Times moved to the grid (the next grid point, as Myelin's allow_offgrid_times);
        of times that fall on one step, the last amplitude holds."""
        dt = simulator.state.dt
        times = np.asarray(self._native.get("times", []), dtype=float)
        amplitudes = np.asarray(self._native.get("amplitudes", []), dtype=float)
        steps = np.ceil(times / dt - 1e-9)
        keep = np.append(steps[1:] != steps[:-1], True) if steps.size else np.zeros(0, bool)
        return steps[keep] * dt, amplitudes[keep]

    def _myelin_params(self):
        times, amplitudes = self._steps()
        return {"amplitude_times": times.tolist(), "amplitude_values": (1000.0 * amplitudes).tolist(),
                "allow_offgrid_times": True}

    def _current(self, times):
        step_times, amplitudes = self._steps()
        index = np.searchsorted(step_times, times + 1e-9 * simulator.state.dt, side="right") - 1
        return np.where(index >= 0, amplitudes[np.maximum(index, 0)] if amplitudes.size else 0.0, 0.0)


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = build_translations(
        ("mean", "mean"), ("stdev", "std"), ("start", "start"), ("stop", "stop"), ("dt", "dt"))
    myelin_model = "noise_generator"

    def _myelin_params(self):
        n = self._native
        dt = n["dt"] if n["dt"] else simulator.state.dt
        return {"mean": 1000.0 * n["mean"], "std": 1000.0 * n["std"], "dt": dt, "start": n["start"],
                "stop": _stop(n["stop"])}

    def _get_data(self):
        raise NotImplementedError("pyNN.myelin: the current of a NoisyCurrentSource is drawn inside the engine "
                                  "and not recorded; record the membrane instead")


def _stop(value):
    return "inf" if value is None or np.isinf(value) else value
