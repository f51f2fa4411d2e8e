"""examples/python/*.py run at small sizes, so that they cannot rot."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = {
    "brunel_raster.py": ["--config", "examples/brunel/brunel_small.json", "--ms", "200"],
    "sweep.py": ["--scale", "0.1", "--ms", "150", "--g", "4", "6", "--eta", "2"],
    "snn_vs_ann.py": ["--epochs", "1", "--stimuli", "60", "--resamples", "50", "--report", "{tmp}/report"],
    "checkpoint.py": ["--ms", "300", "--at", "120"],
    "ca1_vs_model.py": ["--seconds", "4", "--config", "examples/brunel/brunel_small.json", "--report", "{tmp}/ca1"],
}


def test_every_example_is_run(source_dir):
    assert sorted(p.name for p in (source_dir / "examples/python").glob("*.py")) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name, tmp_path, source_dir):
    args = [a.format(tmp=tmp_path) for a in EXAMPLES[name]]
    done = subprocess.run([sys.executable, str(source_dir / "examples/python" / name), *args], cwd=source_dir,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout
    if "--report" in args:
        assert (pathlib.Path(args[args.index("--report") + 1]) / "report.html").is_file()
