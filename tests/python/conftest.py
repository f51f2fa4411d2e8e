"""Shared fixtures: where the sources and the program are, and a CLI runner."""
import os
import pathlib
import subprocess

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE


@pytest.fixture(scope="session")
def myelin_cli():
    """Runs the `myelin` program built beside the module (MYELIN_BINARY, set by ctest)."""
    binary = os.environ.get("MYELIN_BINARY")
    if not binary:
        pytest.skip("MYELIN_BINARY not set (ctest sets it)")

    def run(*args, check=True):
        return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, check=check)

    return run
