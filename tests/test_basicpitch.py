"""Basic Pitch port (emotion.basicpitch): equal to the package's own ONNX model; features that hear key and register."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotion import audio_features as af
from emotion import basicpitch as bp
from emotion.basicpitch_reference import piano_like

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "resources" / "models" / "audio_mood.safetensors"
REF = ROOT / "tests" / "data" / "basicpitch_ref.npz"


@pytest.fixture(scope="module")
def net():
    """The network the app would run: from the shipped weights when they carry it, else converted from the
    installed basic-pitch package (the shipped heads do not read it at present)."""
    from safetensors.numpy import load_file

    if WEIGHTS.is_file():
        tensors = load_file(str(WEIGHTS))
        if bp.has_network(tensors):
            return bp.build(tensors)
    try:
        return bp.build(bp.convert(bp.find_checkpoint()))
    except FileNotFoundError:
        pytest.skip("no Basic Pitch network: neither in the shipped weights nor an installed basic-pitch package")


def test_port_matches_basic_pitch_onnx_reference(net) -> None:
    """The ported network reproduces basic-pitch 0.4.0's own ONNX model (onnxruntime, recorded with
    emotion/basicpitch_reference.py) on a synthetic piano chord progression: note and onset activations."""
    import torch

    ref = np.load(REF)
    x = piano_like()
    assert np.isclose(np.abs(x).sum(), float(ref["audio_abs_sum"]), rtol=1e-6)
    with torch.inference_mode():
        out = net(torch.from_numpy(x[None]))
    assert out["note"].shape == (1, bp.FRAMES, bp.N_KEYS) and out["contour"].shape == (1, bp.FRAMES, 264)
    # float32 through ~20 layers: single activations differ by ~1e-4 between BLAS builds and CPUs (1.03e-4 seen on
    # onset), the bulk by ~1e-6; a wrong layer or constant moves both by orders of magnitude more
    for key in ("note", "onset"):
        diff = np.abs(out[key].numpy() - ref[key])
        assert diff.max() < 5e-4, (key, float(diff.max()))
        assert diff.mean() < 2e-5, (key, float(diff.mean()))
    # and it transcribes: in the first chord (C4 E4 G4, 0-0.5 s) those keys sound, C#4 does not
    note = out["note"].numpy()[0, 5:35]
    for midi in (60, 64, 67):
        assert note[:, midi - 21].max() > 0.5
    assert note[:, 61 - 21].max() < 0.2


def test_checkpoint_reader_gives_the_port_its_layers_if_installed() -> None:
    """Every layer of the package's SavedModel lands where the port expects it (the tiny "sal" training test checks
    that trained weights carry exactly this conversion)."""
    try:
        prefix = bp.find_checkpoint()
    except FileNotFoundError:
        pytest.skip("basic-pitch package not installed")
    fresh = bp.convert(prefix)
    assert fresh["basic_pitch.contour_conv.weight"].shape == (8, 8, 3, 39)
    assert fresh["basic_pitch.onset_out.weight"].shape == (1, 33, 3, 3)
    assert fresh["basic_pitch.cqt_real"].shape == (36, 1, 256) and fresh["basic_pitch.cqt_scale"].shape == (bp.N_BINS,)
    net = bp.build(fresh)
    assert sum(p.numel() for p in net.parameters()) == 16_782


def _tones(midis: list[int], seconds: float = 8.0) -> np.ndarray:
    t = np.arange(int(seconds * af.SR)) / af.SR
    env = np.exp(-3.0 * (t % 1.0))
    y = sum(sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * h * t) / h ** 1.5 for h in range(1, 5))
            for m in midis) * env
    return (0.2 * y / np.abs(y).max()).astype(np.float32)


def test_salience_features_hear_mode_and_register(net) -> None:
    """From 16 kHz excerpt windows: a C major chord fits a major key better than a C minor chord does; relative to
    the found tonic, the chord's own degrees lead; transposed, the key features stay; two octaves down, the pitch
    centroid falls."""
    names = list(bp.SALIENCE_NAMES)
    major, minor, low = bp.excerpt_salience(net, [_tones([60, 64, 67]), _tones([60, 63, 67]), _tones([36, 40, 43])],
                                            af.SR, 2)
    assert major.shape == (bp.N_SALIENCE,) and np.isfinite(major).all()
    d = names.index("major_minus_minor")
    assert major[d] > minor[d] + 0.1
    c = names.index("pitch_centroid")
    assert low[c] < major[c] - 0.2  # 24 keys of 88 lower
    # key-relative pitch classes: tonic, fifth and the chord's third lead
    rel = names.index("key_rel_pc0")
    assert set(np.argsort(-major[rel:rel + 12])[:3]) == {0, 4, 7}
    assert set(np.argsort(-minor[rel:rel + 12])[:3]) == {0, 3, 7}
    e_major = bp.excerpt_salience(net, [_tones([64, 68, 71])], af.SR, 2)[0]  # the major chord 4 semitones up
    np.testing.assert_allclose(e_major[:15], major[:15], atol=0.03)


def test_chunks_spread_over_the_window() -> None:
    n = 8 * bp.SR
    assert bp.chunk_starts(n, 1) == [0]
    starts = bp.chunk_starts(n, 2)
    assert starts == [0, n - bp.WINDOW]
    assert bp.chunk_starts(bp.WINDOW - 10, 3) == [0]
