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
from pyNN.parameters import ArrayParameter, ParameterSpace, Sequence
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


# Spike sources are active from start for duration: Myelin's start and stop
_ACTIVE = (("start", "start"), ("duration", "stop", "start+duration", "stop-start"))


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = build_translations(("rate", "rate"), *_ACTIVE)
    myelin_model = "spike_source_poisson"
    myelin_state = {}


class SpikeSourcePoissonRefractory(cells.SpikeSourcePoissonRefractory):
    __doc__ = cells.SpikeSourcePoissonRefractory.__doc__
    translations = build_translations(("rate", "rate"), ("tau_refrac", "tau_refrac"), *_ACTIVE)
    myelin_model = "spike_source_poisson_refractory"
    myelin_state = {}


class SpikeSourceGamma(cells.SpikeSourceGamma):
    __doc__ = cells.SpikeSourceGamma.__doc__
    translations = build_translations(("alpha", "alpha"), ("beta", "beta"), *_ACTIVE)
    myelin_model = "spike_source_gamma"
    myelin_state = {}


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = build_translations(("spike_times", "spike_times"))
    myelin_model = "spike_source_array"
    myelin_state = {}

    @staticmethod
    def _check(name, values):
        for value in np.ravel(values):
            times = np.asarray(value.value if isinstance(value, ArrayParameter) else value, dtype=float)
            if np.any(np.diff(times) < 0):
                raise errors.InvalidParameterValueError(f"spike_times must be in increasing order: {times.tolist()}")


# Synapses ---------------------------------------------------------------------------------
# Weights and delays keep PyNN's units here (see the module's docstring).

class _Synapse:
    """The default delay of PyNN's synapse types: the session's min_delay."""

    def _get_minimum_delay(self):
        return simulator.state.min_delay


class StaticSynapse(_Synapse, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))
    myelin_model = None

    def _myelin_params(self, values, weight_scale):
        return {}


class TsodyksMarkramSynapse(_Synapse, synapses.TsodyksMarkramSynapse):
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

    def _myelin_params(self, values, weight_scale):
        return {name: values[name] for name in ("U", "tau_rec", "tau_fac", "tau_psc")}


class SimpleStochasticSynapse(_Synapse, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"), ("p", "p"))
    myelin_model = "bernoulli_synapse"

    def _myelin_params(self, values, weight_scale):
        return {"p_transmit": values["p"]}


class STDPMechanism(_Synapse, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(
        ("weight", "weight"), ("delay", "delay"), ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    myelin_model = "stdp_synapse"
    plastic = True

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None):
        if dendritic_delay_fraction != 1:
            raise ValueError("pyNN.myelin: STDP sees the delay as dendritic (dendritic_delay_fraction = 1), as NEST")
        if voltage_dependence is not None:
            raise NotImplementedError("pyNN.myelin: voltage-dependent STDP")
        super().__init__(timing_dependence, weight_dependence, voltage_dependence, dendritic_delay_fraction, weight,
                         delay)
        # PyNN's _build_translations updates the class's dict; this mechanism keeps its own
        self.translations = dict(type(self).base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)

    def _myelin_params(self, values, weight_scale):
        """Myelin's stdp_synapse (NEST's): lambda = A_plus, alpha = A_minus / A_plus."""
        a_plus, a_minus = values["A_plus"], values["A_minus"]
        if a_plus == 0 and a_minus != 0:
            raise NotImplementedError("pyNN.myelin: A_plus = 0 with A_minus != 0: stdp_synapse scales depression by "
                                      "alpha * lambda = A_minus / A_plus * A_plus (NEST's parameters)")
        return {"tau_plus": values["tau_plus"], "tau_minus": values["tau_minus"], "lambda": a_plus,
                "alpha": a_minus / a_plus if a_plus else 1.0, "mu_plus": values["mu_plus"],
                "mu_minus": values["mu_minus"], "Wmax": values["w_max"] * weight_scale}


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(
        ("tau_plus", "tau_plus"), ("tau_minus", "tau_minus"), ("A_plus", "A_plus"), ("A_minus", "A_minus"))
    possible_models = {"stdp_synapse"}


class _ZeroMinimum:
    """stdp_synapse bounds weights to [0, Wmax], as NEST's."""
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    possible_models = {"stdp_synapse"}

    def __init__(self, w_min=0.0, w_max=1.0, **rest):
        if w_min != 0:
            raise ValueError("pyNN.myelin: w_min must be 0 (stdp_synapse bounds weights to [0, w_max], as NEST)")
        super().__init__(w_min=w_min, w_max=w_max, **rest)


class AdditiveWeightDependence(_ZeroMinimum, synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    extra_parameters = {"mu_plus": 0.0, "mu_minus": 0.0}


class MultiplicativeWeightDependence(_ZeroMinimum, synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    extra_parameters = {"mu_plus": 1.0, "mu_minus": 1.0}


class AdditivePotentiationMultiplicativeDepression(_ZeroMinimum,
                                                   synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__
    extra_parameters = {"mu_plus": 0.0, "mu_minus": 1.0}


class GutigWeightDependence(_ZeroMinimum, synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = build_translations(
        ("w_max", "w_max"), ("w_min", "w_min"), ("mu_plus", "mu_plus"), ("mu_minus", "mu_minus"))


# Current sources --------------------------------------------------------------------------

class _CurrentSource(StandardCurrentSource):
    """A PyNN current source is a Myelin current device (one entry of the config's stimuli
    per target population). Its parameters are kept here in PyNN's units and names; changes
    after the build go to the engine (Network.set_stimulus) and act from the next step.
    The recorded current is the engine's (Network.injected_current)."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_cells", [])
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_entries", [])  # (stimulus index in the config, population)
        super(StandardCurrentSource, self).__init__(**parameters)
        parameter_space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        parameter_space.update(**parameters)
        self.set_native_parameters(self.translate(parameter_space))
        simulator.state.current_sources.append(self)

    def inject_into(self, cells):
        cells = list(cells)
        for cell in cells:
            if not cell.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        simulator.state.changed_structure("injecting current")
        self._cells.extend(cells)

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        native = dict(self._native)
        for name, value in parameters.items():
            native[name] = np.asarray(value.value, dtype=float) if isinstance(value, ArrayParameter) else float(value)
        object.__setattr__(self, "_native", self._normalised(native))
        network = simulator.state.network
        if network is not None and self._entries:
            params = self._myelin_params()
            for index, _ in self._entries:
                network.set_stimulus(index, **params)

    def get_native_parameters(self):
        return ParameterSpace({k: (Sequence(v) if isinstance(v, np.ndarray) else v) for k, v in self._native.items()},
                              shape=(1,))

    def get_parameters(self):
        """PyNN's names and units (the translations here only rename); lists as arrays."""
        names = {t["translated_name"]: name for name, t in self.translations.items()}
        return {names[k]: v for k, v in self._native.items()}

    def _normalised(self, native):
        return native

    def _configs(self):
        """The config's stimuli entries, one per target population; numbered by the state."""
        by_population = {}
        for cell in self._cells:
            population = cell.parent
            by_population.setdefault(id(population), (population, []))[1].append(int(population.id_to_index(cell)))
        params = self._myelin_params()
        return [({"model": self.myelin_model, "targets": [{"population": p._myelin_name, "neurons": sorted(set(i))}],
                  "params": params}, p) for p, i in by_population.values()]

    def record(self):
        """The injected current is always available from get_data() (computed, not stored)."""

    def _get_data(self):
        """The current into the first cell injected (nA) at t = 0, dt, ..., t."""
        state = simulator.state
        steps = int(round(state.t / state.dt)) + 1
        if not self._entries or state.network is None:
            return np.arange(steps) * state.dt, np.zeros(steps)
        index, population = self._entries[0]
        injected = state.network.injected_current(index)
        first = min(int(population.id_to_index(c)) for c in self._cells if c.parent is population)
        column = int(np.flatnonzero(injected["neurons"] == first)[0])
        return injected["times"], injected["current"][:, column] / 1000.0


class DCSource(_CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = build_translations(("amplitude", "amplitude"), ("start", "start"), ("stop", "stop"))
    myelin_model = "dc_generator"

    def _myelin_params(self):
        n = self._native
        return {"amplitude": 1000.0 * n["amplitude"], "start": n["start"], "stop": _stop(n["stop"])}


class ACSource(_CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = build_translations(
        ("amplitude", "amplitude"), ("offset", "offset"), ("frequency", "frequency"), ("phase", "phase"),
        ("start", "start"), ("stop", "stop"))
    myelin_model = "ac_generator"

    def _myelin_params(self):
        # PyNN's phase holds at `start`; Myelin's (NEST's) at t = 0
        n = self._native
        phase = (n["phase"] - 360.0 * n["frequency"] * n["start"] / 1000.0) % 360.0
        return {"amplitude": 1000.0 * n["amplitude"], "offset": 1000.0 * n["offset"], "frequency": n["frequency"],
                "phase": phase, "start": n["start"], "stop": _stop(n["stop"])}


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = build_translations(("amplitudes", "amplitudes"), ("times", "times"))
    myelin_model = "step_current_generator"

    def _normalised(self, native):
        """Times to the nearest grid point (as PyNN's other backends); of times that meet
        there, the last amplitude holds."""
        times = np.atleast_1d(np.asarray(native.get("times", []), dtype=float))
        amplitudes = np.atleast_1d(np.asarray(native.get("amplitudes", []), dtype=float))
        if times.size != amplitudes.size:
            raise ValueError(f"StepCurrentSource: {times.size} times and {amplitudes.size} amplitudes; "
                             "they must pair up")
        if np.any(times < 0):
            raise ValueError("Step current cannot accept negative timestamps.")
        if np.any(np.diff(times) <= 0):
            raise ValueError("Step current timestamps should be monotonically increasing.")
        dt = simulator.state.dt
        steps = np.rint(times / dt)
        keep = np.append(steps[1:] != steps[:-1], True) if steps.size else np.zeros(0, bool)
        return dict(native, times=steps[keep] * dt, amplitudes=amplitudes[keep])

    def _myelin_params(self):
        n = self._native
        dt = simulator.state.dt
        return {"amplitude_times": (np.rint(n["times"] / dt) * dt).tolist(),
                "amplitude_values": (1000.0 * n["amplitudes"]).tolist()}


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = build_translations(
        ("mean", "mean"), ("stdev", "std"), ("start", "start"), ("stop", "stop"), ("dt", "dt"))
    myelin_model = "noise_generator"

    def _myelin_params(self):
        n = self._native
        return {"mean": 1000.0 * n["mean"], "std": 1000.0 * n["std"], "dt": n["dt"] or simulator.state.dt,
                "start": n["start"], "stop": _stop(n["stop"])}


def _stop(value):
    return "inf" if value is None or np.isinf(value) else value
