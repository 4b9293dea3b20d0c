"""Loudness (EBU R128 / BS.1770) from the tagger's excerpts, and the levelling gain it gives untagged tracks."""

from __future__ import annotations

import numpy as np
import pytest

from emotion.loudness import MAX_GAIN_DB, REFERENCE_LUFS, _high_pass, _shelf, levelling_gain, loudness


def sine(seconds: float, sr: int, amp: float, hz: float = 997.0) -> np.ndarray:
    return amp * np.sin(2 * np.pi * hz * np.arange(int(seconds * sr)) / sr)


def test_k_weighting_at_48k_is_the_standards():
    """ITU-R BS.1770-4, table 1 and 2: the pre-filter and the RLB high pass at 48 kHz."""
    b, a = _shelf(48000)
    assert np.allclose(b, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-10)
    assert np.allclose(a, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-10)
    b, a = _high_pass(48000)
    assert np.allclose(b, [1.0, -2.0, 1.0]) and np.allclose(a, [1.0, -1.99004745483398, 0.99007225036621])


@pytest.mark.parametrize(("sr", "tolerance"), [(48000, 0.02), (44100, 0.02), (16000, 0.1)])
def test_a_full_scale_997_hz_sine_reads_minus_3_lufs(sr, tolerance):
    assert abs(loudness([sine(5, sr, 1.0)], sr) - (-3.01)) <= tolerance
    assert abs(loudness([sine(5, sr, 0.1)], sr) - (-23.01)) <= tolerance, "20 dB quieter"


def test_the_gates_leave_out_silence_and_passages_far_under_the_rest():
    sr = 16000
    loud = sine(8, sr, 0.5)
    alone = loudness([loud], sr)
    assert loudness([loud, np.zeros(8 * sr), np.zeros(8 * sr)], sr) == alone, "absolute gate: silence"
    assert abs(loudness([loud, sine(8, sr, 0.5 * 10 ** (-30 / 20))], sr) - alone) < 0.01, "relative gate"
    mixed = loudness([loud, sine(8, sr, 0.25)], sr)  # 6 dB quieter: it counts
    assert alone - 3.5 < mixed < alone - 0.5
    assert loudness([np.zeros(8 * sr)], sr) is None and loudness([sine(0.2, sr, 1.0)], sr) is None
    assert loudness([], sr) is None


def test_the_levelling_gain_brings_a_track_to_the_reference():
    assert levelling_gain(-8.0) == REFERENCE_LUFS + 8.0 == -10.0
    assert levelling_gain(-30.0) == 12.0
    assert levelling_gain(-80.0) == MAX_GAIN_DB and levelling_gain(20.0) == -MAX_GAIN_DB
    assert levelling_gain(None) is None and levelling_gain(float("nan")) is None


def test_an_untagged_track_is_levelled_from_its_measured_loudness(media_window):
    w = media_window
    path = w.library.rows()[0]["path"]
    w.library.update_fields([(path, {"rg_gain": None, "rg_peak": None, "loudness": -8.0})])
    assert w._track_gain(path) == (-10.0, None)
    w.library.update_fields([(path, {"rg_gain": -3.0, "rg_peak": 0.9})])
    assert w._track_gain(path) == (-3.0, 0.9), "ReplayGain tags win"
    w.library.update_fields([(path, {"rg_gain": None, "loudness": None})])
    assert w._track_gain(path) == (None, None), "silence or not measured: played as it is"
