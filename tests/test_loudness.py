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
    w.library.update_fields([(path, {"rg_gain": None, "loudness": -30.0})])
    assert w._track_gain(path) == (0.0, None), "an estimate never turns a track up (a loud passage may be unheard)"
    w.library.update_fields([(path, {"rg_gain": None, "loudness": None})])
    assert w._track_gain(path) == (None, None), "silence or not measured: played as it is"


def test_channels_add_up_as_in_bs1770():
    sr = 48000
    mono = sine(5, sr, 0.5)
    stereo = np.stack([mono, mono], axis=1)
    assert abs(loudness([stereo], sr) - loudness([mono], sr) - 3.01) < 0.02, "two channels: +3 dB"
    left_only = np.stack([mono, np.zeros_like(mono)], axis=1)
    assert abs(loudness([left_only], sr) - loudness([mono], sr)) < 0.01


def test_every_format_reads_the_same_music_alike(tmp_path):
    """libsndfile (WAV, FLAC, Ogg, MP3) and ffmpeg (M4A, Opus, video) give the same channels and the same mono mix
    of a stereo file, so its loudness (and the mood model's input) do not depend on the format."""
    import shutil
    import subprocess

    import soundfile as sf

    from emotion import audio_features as af

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed")
    sr = 44100
    t = np.arange(20 * sr) / sr
    left, right = 0.4 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)
    wav = tmp_path / "s.wav"
    sf.write(str(wav), np.stack([left, right], axis=1).astype(np.float32), sr)
    flac = tmp_path / "s.flac"
    sf.write(str(flac), np.stack([left, right], axis=1).astype(np.float32), sr)
    m4a = tmp_path / "s.m4a"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", "-b:a", "256k",
                    str(m4a)], check=True)
    readings = {}
    for f in (flac, m4a):
        channels: list = []
        mono = af.load_excerpts(f, channels=channels)
        assert all(y.shape[1] == 2 for y, _ in channels), f
        readings[f.suffix] = (loudness([y for y, _ in channels], channels[0][1]),
                              float(np.sqrt(np.mean(np.concatenate(mono) ** 2))))
    (lf, rms_f), (lm, rms_m) = readings[".flac"], readings[".m4a"]
    assert abs(lf - lm) < 0.3, readings
    assert abs(20 * np.log10(rms_f / rms_m)) < 0.3, readings


def test_a_batch_of_loudness_alone_does_not_re_plan(media_window):
    w = media_window
    changed = []
    w.library_changed.connect(lambda: changed.append(1))
    path = w.library.rows()[0]["path"]
    w._on_tagged([(path, {"loudness": -9.0, "loudness_key": "k"})])
    assert not changed, "no mood changed: the planner and the map need not re-read the library"
    w._on_tagged([(path, {"quadrant": "Q1", "valence": 0.5, "arousal": 0.5, "loudness": -9.0})])
    assert changed


def test_the_progress_bar_says_what_the_pass_does(media_window):
    from types import SimpleNamespace

    w = media_window
    try:
        w.tagging.tagger = SimpleNamespace(loudness_only=True)  # tracks tagged before Moodtape measured loudness
        w._on_tag_progress(3, 10, 2.0)
        assert w.tag_bar.format() == "Loudness %v/%m" and w.tag_bar.text() == "Loudness 3/10"
        w.tagging.tagger = SimpleNamespace(loudness_only=False)
        w._on_tag_progress(4, 10, 2.0)
        assert w.tag_bar.text() == "Mood tags 4/10"
    finally:
        w.tagging.tagger = None


def test_a_loudness_that_fails_leaves_the_mood_tag_alone(monkeypatch):
    """The loudness is a nicety: a broken install (no scipy.signal) must not stop mood tagging."""
    from emotion import audio_model
    from emotion import loudness as loudness_mod

    def broken(*_args, **_kwargs):
        raise ModuleNotFoundError("No module named 'scipy.signal'")

    monkeypatch.setattr(loudness_mod, "loudness", broken)
    assert audio_model._loudness_of([(np.zeros((16000, 2)), 16000)]) is None


def test_a_surround_file_reads_alike_in_every_format(tmp_path):
    """5.1 comes down to stereo (ffmpeg's downmix) before the mono mix and the loudness, whatever the format."""
    import shutil
    import subprocess

    import soundfile as sf

    from emotion import audio_features as af

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed")
    sr = 44100
    t = np.arange(20 * sr) / sr
    six = np.stack([0.3 * np.sin(2 * np.pi * f * t) for f in (220, 330, 440, 60, 550, 660)], axis=1)
    wav = tmp_path / "six.wav"
    sf.write(str(wav), six.astype(np.float32), sr)
    m4a = tmp_path / "six.m4a"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", "-b:a", "384k",
                    str(m4a)], check=True)
    readings = []
    for f in (wav, m4a):
        channels: list = []
        mono = af.load_excerpts(f, channels=channels)
        assert all(y.shape[1] == 2 for y, _ in channels), f
        readings.append((loudness([y for y, _ in channels], channels[0][1]),
                         float(np.sqrt(np.mean(np.concatenate(mono) ** 2)))))
    (lw, rw), (lm, rm) = readings
    assert abs(lw - lm) < 0.5 and abs(20 * np.log10(rw / rm)) < 0.5, readings
