"""The comparison measures on NumPy arrays against NumPy references written from their papers."""
import numpy as np
import pytest

import myelin

rng = np.random.default_rng(1)
X = rng.normal(size=(30, 12))
Y = X @ rng.normal(size=(12, 8)) + 0.5 * rng.normal(size=(30, 8))


def centred_gram(k):
    n = len(k)
    h = np.eye(n) - np.ones((n, n)) / n
    return h @ k @ h


def ranks(v):  # no ties in these data
    r = np.empty(len(v))
    r[np.argsort(v)] = np.arange(1, len(v) + 1)
    return r


def test_cka_rsa_and_procrustes_equal_their_definitions():
    k, l = centred_gram(X @ X.T), centred_gram(Y @ Y.T)
    cka = np.sum(k * l) / (np.linalg.norm(k) * np.linalg.norm(l))  # Kornblith et al. 2019, eq. 3
    assert myelin.linear_cka(X, Y) == pytest.approx(cka, rel=1e-12)
    assert myelin.compare(X, Y, "linear_cka") == myelin.linear_cka(X, Y)
    assert myelin.linear_cka(X, X) == pytest.approx(1.0, rel=1e-12)

    iu = np.triu_indices(len(X), 1)
    rdm_x, rdm_y = (1 - np.corrcoef(X))[iu], (1 - np.corrcoef(Y))[iu]  # Kriegeskorte et al. 2008
    assert np.allclose(myelin.rdm(X), rdm_x, rtol=0, atol=1e-13)
    rho = np.corrcoef(ranks(rdm_x), ranks(rdm_y))[0, 1]
    assert myelin.rsa(X, Y) == pytest.approx(rho, rel=1e-12)

    def normalised(a, width):
        a = a - a.mean(axis=0)
        a = np.pad(a, ((0, 0), (0, width - a.shape[1])))
        return a / np.linalg.norm(a)

    a, b = normalised(X, 12), normalised(Y, 12)  # Williams et al. 2021
    nuclear = np.linalg.svd(a.T @ b, compute_uv=False).sum()
    assert myelin.procrustes(X, Y) == pytest.approx(np.sqrt(2 - 2 * nuclear), rel=1e-10)


def test_permutation_p_and_bootstrap_interval():
    p = myelin.permutation_test(X, Y, "linear_cka", n=200, seed=3)
    assert p["observed"] == myelin.linear_cka(X, Y)
    assert p["p_value"] == pytest.approx(1 / 201)  # Y is X's image: no shuffle comes near
    assert p == myelin.permutation_test(X, Y, "linear_cka", n=200, seed=3)  # seeded
    shuffled = rng.normal(size=Y.shape)
    assert myelin.permutation_test(X, shuffled, "linear_cka", n=200, seed=3)["p_value"] > 0.01
    ci = myelin.bootstrap_ci(X, Y, "linear_cka", n=300, seed=5)
    observed = myelin.linear_cka(X, Y)
    assert ci["n_valid"] == 300 and ci["low"] < observed < ci["high"] and ci["high"] - ci["low"] < 0.5


def test_spike_train_measures():
    times = np.array([1.0, 3.0, 4.0, 9.0, 2.0, 5.0, 7.5])
    ids = np.array([0, 0, 0, 0, 1, 1, 1], dtype=np.uint64)
    s = myelin.spike_stats(times, ids, 3, 0.0, 10.0)
    assert s["spikes"] == 7 and s["rate"] == pytest.approx(7 / (3 * 0.01))
    isi0, isi1 = np.diff([1.0, 3.0, 4.0, 9.0]), np.diff([2.0, 5.0, 7.5])
    assert s["cv"] == pytest.approx(np.mean([isi0.std() / isi0.mean(), isi1.std() / isi1.mean()]), rel=1e-12)
    trains = myelin.trains(times, ids, 3)
    assert [len(t) for t in trains] == [4, 3, 0]
    assert myelin.cv_isi(trains[0]) == pytest.approx(isi0.std() / isi0.mean(), rel=1e-12)
    lv = 3 / 2 * np.sum(((isi0[:-1] - isi0[1:]) / (isi0[:-1] + isi0[1:])) ** 2)  # Shinomoto et al. 2003
    assert myelin.local_variation(trains[0]) == pytest.approx(lv, rel=1e-12)
    counts = myelin.binned_counts(trains, 0.0, 10.0, 2.5)
    assert counts.shape == (3, 4) and counts.sum() == 7
    assert np.allclose(myelin.pairwise_correlations(counts[:2]), [np.corrcoef(counts[:2])[0, 1]], equal_nan=True)
    assert np.isnan(myelin.pairwise_correlations(counts)[1])  # a silent train does not vary
    assert myelin.van_rossum(trains[0], trains[0], 5.0) == 0.0
    assert myelin.victor_purpura(trains[0], trains[0][:3], 1.0) == 1.0  # one deletion


def test_ks_and_wasserstein_equal_scipy():
    r = np.random.default_rng(3)
    a, b = r.normal(size=40), r.normal(0.5, 1, size=30)
    # scipy.stats.ks_2samp(a, b, method="exact") and wasserstein_distance(a, b), SciPy 1.10.1
    ks = myelin.ks_2samp(a, b)
    assert ks["statistic"] == pytest.approx(0.2833333333333333, rel=1e-14)
    assert ks["p_value"] == pytest.approx(0.10796126577379384, rel=1e-9) and ks["exact"]
    assert myelin.wasserstein(a, b) == pytest.approx(0.49286891225578977, rel=1e-12)


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match=r"A has 30 stimuli \(rows\) and B 29"):
        myelin.linear_cka(X, Y[:29])
    with pytest.raises(ValueError, match="measure"):
        myelin.compare(X, Y, "cosine")
    with pytest.raises(ValueError, match="id 5; must be < n_neurons = 3"):
        myelin.spike_stats(np.array([1.0]), np.array([5], dtype=np.uint64), 3, 0.0, 10.0)
    with pytest.raises(ValueError, match="'manhattan'; must be 'correlation' or 'euclidean'"):
        myelin.rsa(X, Y, metric="manhattan")


def test_reports_as_the_program_writes_them(tmp_path, source_dir, myelin_cli):
    net = myelin.Network(source_dir / "examples/brunel/brunel_small.json").run(200.0)
    e = myelin.trains(*net.spikes("E"), 1000)
    i = myelin.trains(*net.spikes("I"), 250)
    report = myelin.compare_spike_trains(e, i, 0.0, 200.0, label_a="E", label_b="I")
    assert "firing rate" in report.text and len(report.figures) >= 4
    report.write(tmp_path / "spikes")
    html = (tmp_path / "spikes/report.html").read_text()
    assert "<svg" in html and "test_analysis.py" in html  # the script is the provenance
    with pytest.raises(ValueError, match="exists"):
        report.write(tmp_path / "spikes")
    # The program's comparison of the same spikes gives the same numbers.
    myelin.write_spikes(tmp_path / "e.h5", {"E": {"times": net.spikes("E")[0], "ids": net.spikes("E")[1],
                                                  "n_nodes": 1000}}, t_start=0.0, t_stop=200.0)
    myelin.write_spikes(tmp_path / "i.h5", {"I": {"times": net.spikes("I")[0], "ids": net.spikes("I")[1],
                                                  "n_nodes": 250}}, t_start=0.0, t_stop=200.0)
    cli = myelin_cli("compare", tmp_path / "e.h5", tmp_path / "i.h5", "--t-start", 0, "--t-stop", 200,
                     "--label-a", "E", "--label-b", "I")
    table = lambda text: text[text.index("measure "):].splitlines()
    assert len(table(report.text)) == 6 and table(report.text) == table(cli.stdout)

    rep = myelin.compare_representations(X, Y, ["linear_cka", "procrustes"], permutations=50, bootstrap=50,
                                         input=X[:, :5], conditions=[str(k % 3) for k in range(30)])
    assert "linear CKA" in rep.text and len(rep.figures) >= 2
    import json
    numbers = json.loads(rep.json)
    assert numbers  # report.json's content, as the program writes it


def test_rbf_cka_and_fano_factor_equal_their_definitions():
    def rbf_gram(a, fraction):
        d2 = np.sum((a[:, None, :] - a[None, :, :]) ** 2, axis=-1)
        sigma = fraction * np.sqrt(np.median(d2))  # the median of all squared distances, diagonal included
        return np.exp(-d2 / (2 * sigma**2))

    k, l = centred_gram(rbf_gram(X, 0.8)), centred_gram(rbf_gram(Y, 0.8))
    assert myelin.rbf_cka(X, Y, fraction=0.8) == pytest.approx(np.sum(k * l) / (np.linalg.norm(k) * np.linalg.norm(l)),
                                                               rel=1e-10)
    times = np.sort(np.random.default_rng(2).uniform(0.0, 1000.0, size=300))
    counts = np.histogram(times, bins=np.arange(0.0, 1000.0 + 1e-9, 50.0))[0]
    assert myelin.fano_factor(times, 0.0, 1000.0, 50.0) == pytest.approx(counts.var() / counts.mean(), rel=1e-12)
