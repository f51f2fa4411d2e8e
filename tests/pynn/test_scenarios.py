"""PyNN's backend-independent system tests (PyNN 0.10.1, test/system/scenarios) on pyNN.myelin.

Run by ctest (`myelin.pynn.test_scenarios`), or: PYTHONPATH=build/release/python python3 -m pytest tests/pynn
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "shims"))

pyNN = pytest.importorskip("pyNN", reason="PyNN (Debian's python3-pynn) is not installed")
import myelin_pynn_hook  # noqa: F401,E402 (.pth files are read in site folders only)

import pyNN.myelin as sim  # noqa: E402
from scenarios.registry import registry  # noqa: E402
import scenarios  # noqa: E402,F401 (registers them all)

# Scenarios that do not run on Myelin, and why.
EXCLUDED = {}  # none: all 64 run on Myelin


@pytest.mark.parametrize("scenario", registry, ids=[s.__name__ for s in registry])
def test_scenario(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # some write files under ./Results
    if scenario.__name__ in EXCLUDED:
        pytest.skip(EXCLUDED[scenario.__name__])
    if "myelin" in scenario.exclude:
        pytest.skip("excluded by PyNN for Myelin")
    scenario(sim)
    sim.end()


def test_all_scenarios_registered():
    assert len(registry) == 64
