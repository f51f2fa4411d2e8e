"""Under `mpirun -n 2 python script.py` the module runs distributed, as the program does."""
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import myelin


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="no mpirun")
def test_two_ranks_give_the_spikes_of_one(tmp_path, source_dir):
    config = source_dir / "examples/brunel/brunel_small.json"
    script = tmp_path / "ranks.py"
    script.write_text(textwrap.dedent(f"""
        import numpy as np, myelin
        net = myelin.Network({str(config)!r}, threads=1, exchange="targeted")
        net.run(60.0).run(30.0)
        net.reset()  # built anew on both ranks: the run below is the first one again
        net.run(60.0).checkpoint({str(tmp_path / "state.h5")!r}).run(40.0)  # a file per rank
        t, i = net.spikes("E")
        if myelin.rank() == 0:
            np.save({str(tmp_path / "t.npy")!r}, t)
            np.save({str(tmp_path / "i.npy")!r}, i)
        else:
            assert len(t) == 0
        open({str(tmp_path)!r} + f"/rank{{myelin.rank()}}", "w").write(str(myelin.size()))
    """))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    done = subprocess.run(["mpirun", "-n", "2", sys.executable, str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "rank0").read_text() == (tmp_path / "rank1").read_text() == "2"
    t, i = myelin.Network(config, threads=2).run(100.0).spikes("E")
    assert np.array_equal(np.load(tmp_path / "t.npy"), t) and np.array_equal(np.load(tmp_path / "i.npy"), i)
    # The two ranks' checkpoint, an index and two parts, resumes in one process.
    assert len(list((tmp_path / "state.h5.parts").glob("*.h5"))) == 2
    t2, i2 = myelin.Network.resume(tmp_path / "state.h5", threads=1).run(40.0).spikes("E")
    later = t > 60.0
    assert np.array_equal(t2, t[later]) and np.array_equal(i2, i[later])
