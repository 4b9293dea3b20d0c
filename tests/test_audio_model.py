"""Audio mood model: MIDI synth, tiny training run, shipped model on contrasting pieces, eval CLI."""

from __future__ import annotations

import csv
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from emotion import audio_features as af
from emotion.audio_model import SALIENCE_CHUNKS
from library import synth

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
WEIGHTS = ROOT / "resources" / "models" / "audio_mood.safetensors"
MUSICNN_REF = ROOT / "tests" / "data" / "musicnn_ref.npz"
HAVE_FLUIDSYNTH = shutil.which("fluidsynth") is not None and bool(synth.find_soundfonts())
needs_fluidsynth = pytest.mark.skipif(not HAVE_FLUIDSYNTH, reason="fluidsynth or a GM soundfont missing")


MAJOR_CHORDS = ((0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12))  # I V vi IV
MINOR_CHORDS = ((0, 3, 7), (-4, 0, 3), (5, 8, 12), (7, 10, 14))  # i VI iv v


def write_piece(path: Path, bpm: float, velocity: int, minor: bool, octave: int, notes_per_beat: int,
                beats: int = 48) -> Path:
    """A one-track piano MIDI piece: an arpeggiated I-V-vi-IV (major) or i-VI-iv-v (minor) with bass notes."""
    div = 480
    tonic = 60 + 12 * octave - (3 if minor else 0)  # C major or A minor
    chords = MINOR_CHORDS if minor else MAJOR_CHORDS
    step = div // notes_per_beat
    timed: list[tuple[int, bytes]] = []
    for b in range(beats):
        t0 = b * div
        chord = [tonic + c for c in chords[(b // 4) % 4]]
        bass = chord[0] - 24
        timed += [(t0, bytes([0x90, bass, velocity])), (t0 + div - 10, bytes([0x80, bass, 0]))]
        for k in range(notes_per_beat):
            n = chord[k % 3] + 12 * ((k // 3) % 2)
            on = t0 + k * step
            timed += [(on, bytes([0x90, n, velocity])), (on + step - 5, bytes([0x80, n, 0]))]
    timed.sort(key=lambda e: (e[0], e[1][0] != 0x80))
    events: list[tuple[int, bytes]] = [(0, b"\xff\x51\x03" + struct.pack(">I", int(60e6 / bpm))[1:])]
    last = 0
    for t, ev in timed:
        events.append((t - last, ev))
        last = t
    path.write_bytes(synth.write_midi(0, div, [events]))
    return path


def test_midi_roundtrip_and_force_program(tmp_path: Path) -> None:
    mid = write_piece(tmp_path / "a.mid", 120, 90, False, 0, 2, beats=8)
    fmt, div, tracks = synth.parse_midi(mid.read_bytes())
    assert div == 480 and len(tracks) == 1
    assert synth.parse_midi(synth.write_midi(fmt, div, tracks))[2] == tracks
    forced = synth.force_program(mid.read_bytes(), 40)
    _, _, ftracks = synth.parse_midi(forced)
    progs = [ev for tr in ftracks for _, ev in tr if (ev[0] & 0xF0) == 0xC0]
    assert progs and all(ev[1] == 40 for ev in progs)
    assert all((ev[0] & 0x0F) != 9 for ev in progs)  # drums untouched
    notes = [ev for tr in ftracks for _, ev in tr if (ev[0] & 0xF0) == 0x90]
    assert len(notes) == len([ev for tr in tracks for _, ev in tr if (ev[0] & 0xF0) == 0x90])


def test_render_without_fluidsynth_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mid = write_piece(tmp_path / "a.mid", 120, 90, False, 0, 2, beats=4)
    monkeypatch.setattr(synth.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="fluidsynth"):
        synth.render_midi(mid, tmp_path / "a.wav")


@needs_fluidsynth
def test_render_midi_with_program(tmp_path: Path) -> None:
    import soundfile as sf

    mid = write_piece(tmp_path / "a.mid", 120, 90, False, 0, 2, beats=8)
    out = synth.render_midi(mid, tmp_path / "a.wav", program=48, sample_rate=16000)
    info = sf.info(str(out))
    assert info.samplerate == 16000 and info.duration > 3.0
    y, _ = sf.read(str(out))
    assert np.abs(y).max() > 0.01


def test_window_starts_spread_and_tile() -> None:
    long = af.window_starts(200.0, 3, 8.0)
    assert len(long) == 3 and long[0] >= 19.9 and long[-1] + 8.0 <= 180.1
    short = af.window_starts(22.0, 3, 8.0)
    assert short[0] == 0.0 and abs(short[-1] - 14.0) < 1e-6
    assert af.window_starts(5.0, 3, 8.0) == [0.0]


@pytest.mark.slow
@needs_fluidsynth
def test_a_training_share_is_a_nested_subset_of_whole_units() -> None:
    """The learning curve's subsets (train_audio --train-share): a share of the distinct songs, at least one, the
    smaller share inside the larger one for the same key, another key another draw."""
    from emotion.train_audio import keep_share

    songs = [f"s{i}" for i in range(40) for _ in range(3)]  # each song's clips and renderings
    half, quarter = keep_share(songs, 0.5, "k"), keep_share(songs, 0.25, "k")
    assert len(half) == 20 and len(quarter) == 10 and quarter < half <= set(songs)
    assert keep_share(songs, 1.0, "k") == set(songs) and len(keep_share(songs, 0.001, "k")) == 1
    assert keep_share(songs, 0.5, "other") != half


def test_tiny_training_end_to_end(tmp_path: Path) -> None:
    if not (SHARED / "emopia" / "labels.csv").is_file():
        pytest.skip("shared data missing")
    from emotion import train_audio
    from emotion.audio_model import AudioMoodModel, version_of

    out = tmp_path / "out"
    rc = train_audio.main(["--tiny", "--threads", "1", "--work-dir", str(tmp_path / "work"), "--out-dir", str(out)])
    assert rc == 0
    weights = out / "audio_mood.safetensors"
    card = (out / "audio_mood.md").read_text()
    assert weights.is_file() and version_of(weights) in card
    model = AudioMoodModel.load(weights, threads=1)
    res = model.predict_file(SHARED / "emotify" / "audio" / "classical_12.ogg")
    assert -1 <= res["valence"] <= 1 and -1 <= res["arousal"] <= 1
    assert res["quadrant"] in ("Q1", "Q2", "Q3", "Q4")
    assert abs(sum(res["quadrant_probs"].values()) - 1) < 1e-3
    assert set(res["moods"]) >= {"calmness", "tension", "happy", "sad"}
    assert res["model_version"] == version_of(weights)
    # the recordings expert's arousal is the closed-form ridge stored beside the heads
    assert model.rec_ridge is not None and model.rec_outputs == [16]
    from emotion.audio_model import head_input

    # the default config's MTT hears each window's first patch only: it is featurised (and cached) that way,
    # exactly as the tagger computes it live
    assert model.mtt_first_only
    cdir = train_audio.cache_dir(tmp_path / "work", **train_audio.feature_kind(train_audio.DEFAULT_CFG))
    caches = sorted(cdir.glob("emotify__*.npz"))
    assert caches and list(model.parts) == train_audio.DEFAULT_CFG["parts"]
    cached = np.load(caches[0])
    clip = caches[0].stem.split("__", 1)[1]
    live = model.features_excerpts(af.load_excerpts(SHARED / "emotify" / "audio" / f"{clip}.ogg"))
    assert len(cached["mtt_pen"]) == len(cached["hc"]) == 3 and len(cached["pen"]) == 6
    for key in ("hc", "pen", "logits", "mtt_pen", "mtt_logits"):
        np.testing.assert_allclose(live[key], cached[key], atol=1e-5, err_msg=key)
    if "sal" in model.parts:  # Basic Pitch salience, as the tagger computes it live
        np.testing.assert_allclose(live["sal"], cached["sal"], atol=1e-4)
    # the renderings too (they are most of the files): MTT ran on the first patches only, not on all of them
    renders = [p for p in sorted(caches[0].parent.glob("*.npz")) if not p.name.startswith("emotify__")]
    assert renders
    for p in renders:
        z = np.load(p)
        assert len(z["mtt_pen"]) == len(z["hc"]) == 3 and len(z["pen"]) == 6, p.name

    feats = model.features_excerpts(af.load_excerpts(SHARED / "emotify" / "audio" / "classical_12.ogg"))
    xs = (head_input(feats, model.parts) - model.x_mean) / model.x_std
    w, b = model.rec_ridge
    ridge = float(np.clip(xs @ w[0] + b[0], -0.999, 0.999))
    heads = model.predict_features(feats)["heads"]
    assert heads["arousal_rec"] == pytest.approx(ridge, abs=1e-3)
    # and the EMOPIA expert's valence / arousal signs are the logistic regressions stored beside them
    assert model.emo_logreg is not None and model.emo_outputs == [0, 1]
    w, b = model.emo_logreg
    for k, name in enumerate(("valence", "arousal")):
        assert heads[name] == pytest.approx(float(np.tanh((xs @ w[k] + b[k]) / 2.0)), abs=1e-3)


@pytest.mark.slow
@needs_fluidsynth
def test_tiny_training_with_basic_pitch_salience(tmp_path: Path) -> None:
    """A config that reads the Basic Pitch salience part trains from its own feature cache, ships the converted
    network in its weights, and the loaded model computes the same 20 features per window as training did."""
    if not (SHARED / "emopia" / "labels.csv").is_file():
        pytest.skip("shared data missing")
    from emotion import basicpitch as bp
    from emotion import train_audio
    from emotion.audio_model import AudioMoodModel

    try:
        bp.find_checkpoint()
    except FileNotFoundError:
        pytest.skip("basic-pitch package not installed")
    cfg = {"parts": ["pen", "logits", "mpen", "mlogits", "hc", "sal"],
           "groups": [["pen", "logits", "mpen", "mlogits", "hc"], ["hc", "sal"]]}
    work, out = tmp_path / "work", tmp_path / "out"
    rc = train_audio.main(["--tiny", "--threads", "1", "--work-dir", str(work), "--out-dir", str(out),
                           "--cfg", json.dumps(cfg)])
    assert rc == 0
    caches = sorted(work.glob("cache/*s/emotify__*.npz"))
    assert caches and {c.parent.name for c in caches} == {train_audio.FEATS_VERSION + "m1s"}
    from safetensors.numpy import load_file

    weights = load_file(str(out / "audio_mood.safetensors"))
    for k, v in bp.convert(bp.find_checkpoint()).items():  # the package's network, converted, rides along
        np.testing.assert_array_equal(weights[k], v, err_msg=k)
    model = AudioMoodModel.load(out / "audio_mood.safetensors", threads=1)
    assert model.basic_pitch is not None and model.parts[-1] == "sal" and model.salience_chunks == SALIENCE_CHUNKS == 4
    clip = caches[0].stem.split("__", 1)[1]
    feats = model.features_excerpts(af.load_excerpts(SHARED / "emotify" / "audio" / f"{clip}.ogg"))
    assert feats["sal"].shape == (3, bp.N_SALIENCE)
    np.testing.assert_allclose(feats["sal"], np.load(caches[0])["sal"], atol=1e-4)
    res = model.predict_features(feats)
    assert res["quadrant"] in ("Q1", "Q2", "Q3", "Q4") and -1 <= res["valence"] <= 1


def test_emopia_logistic_output_replaces_the_ensembles_sign_output() -> None:
    """fit_emo_logreg learns the arousal sign from the renderings (C chosen song-wise), and the model reads that
    output from it instead of the heads."""
    from emotion import train_audio
    from emotion.audio_model import N_OUT

    rng = np.random.default_rng(5)
    n, dim = 240, 12
    x = rng.normal(size=(n, dim)).astype(np.float32)
    arousal = x[:, 2] + 0.3 * rng.normal(size=n) > 0
    d = {"xe": x, "vas": np.stack([rng.random(n) > 0.5, arousal], axis=1).astype(np.float32),
         "song": [f"s{i // 3}" for i in range(n)], "default": np.arange(n) % 3 == 0}
    mu, sd = x.mean(axis=0), x.std(axis=0)
    w, b = train_audio.fit_emo_logreg(d, mu, sd, {"emo_logreg": ["arousal"]}, seed=1)
    assert w.shape == (1, dim) and b.shape == (1,)
    assert int(np.argmax(np.abs(w[0]))) == 2 and w[0, 2] > 0  # it reads the column that carries arousal
    xt = rng.normal(size=(200, dim)).astype(np.float32)
    logit = ((xt - mu) / sd) @ w[0] + b[0]
    assert np.mean((logit > 0) == (xt[:, 2] > 0)) > 0.9
    assert train_audio.fit_emo_logreg(d, mu, sd, {}, seed=1) is None

    class Zero:  # a head ensemble that says 0 everywhere
        def __call__(self, t):
            import torch

            return torch.zeros((len(t), N_OUT))

    cfg = {"parts": ["hc"], "emo_logreg": ["arousal"]}
    model = train_audio.make_model([Zero()], mu, sd, cfg, emo=(w, b))
    out = model.head_outputs(xt)
    np.testing.assert_allclose(out[:, 1], logit, atol=1e-4)
    assert np.all(out[:, 0] == 0)  # valence still comes from the heads
    with pytest.raises(ValueError):
        train_audio.make_model([Zero()], mu, sd, cfg)


def test_quadrant_from_va_follows_the_reading_and_otherwise_the_quadrant_head() -> None:
    """With quadrant_from_va the reported quadrant is the one the valence / arousal reading lies in (and its
    probabilities sum to 1); without it, on rendered music (gate 1) the quadrant head's argmax."""
    from emotion import train_audio
    from emotion.audio_model import N_OUT, quadrant_probs
    from emotion.mood_space import QUADRANTS, quadrant

    rng = np.random.default_rng(11)
    outs = rng.normal(scale=3.0, size=(300, N_OUT)).astype(np.float32)
    outs[::2, 17] = 20.0  # half of them rendered music (gate ~1)

    class Fixed:  # a head ensemble whose raw outputs are these rows (the input is the row index)
        def __call__(self, t):
            import torch

            return torch.from_numpy(outs[t[:, 0].long().numpy()])

    base = {"parts": ["hc"], "gated": True, "blend": 0.5}
    head_picks, va_picks, agree = 0, 0, 0
    for row, o in enumerate(outs):
        for cfg in (base, {**base, "quadrant_from_va": True}):
            model = train_audio.make_model([Fixed()], np.zeros(1, np.float32), np.ones(1, np.float32), cfg)
            res = model.predict_features({"hc": np.full((3, 1), row, np.float32)})
            probs = res["quadrant_probs"]
            assert abs(sum(probs.values()) - 1) < 1e-3
            if cfg.get("quadrant_from_va"):
                va_picks += res["quadrant"] == quadrant(res["valence"], res["arousal"])
            elif res["heads"]["gate"] > 0.999:
                head_picks += res["quadrant"] == QUADRANTS[int(np.argmax(o[2:6]))]
                agree += 1
    assert va_picks == len(outs)
    assert agree > 0 and head_picks == agree
    np.testing.assert_allclose(quadrant_probs(0.6, -0.2), [0.32, 0.08, 0.12, 0.48])


def test_ridge_leave_one_out_matches_brute_force_and_follows_the_noise() -> None:
    from emotion.audio_model import fit_ridge_loo

    rng = np.random.default_rng(3)
    n, d = 80, 30
    x = rng.normal(size=(n, d))
    w_true = rng.normal(size=d) * (rng.random(d) < 0.3)
    clean = x @ w_true + 0.5
    y = np.stack([clean + 0.1 * rng.normal(size=n), clean + 8.0 * rng.normal(size=n)], axis=1)
    alphas = (0.1, 1.0, 10.0, 100.0, 1000.0)
    w, b, chosen = fit_ridge_loo(x, y, alphas)
    # the noisier target gets the stronger penalty; the clean one is recovered with its intercept
    assert chosen[1] > chosen[0]
    assert np.abs(w[0] - w_true).max() < 0.1 and abs(b[0] - 0.5) < 0.1

    def brute_loo(j: int, a: float) -> float:  # refit without each row in turn
        errs = []
        for i in range(n):
            keep = np.arange(n) != i
            xm, ym = x[keep].mean(0), y[keep, j].mean()
            xc = x[keep] - xm
            beta = np.linalg.solve(xc.T @ xc + a * np.eye(d), xc.T @ (y[keep, j] - ym))
            errs.append((y[i, j] - (ym + (x[i] - xm) @ beta)) ** 2)
        return float(np.mean(errs))

    for j in (0, 1):
        assert chosen[j] == min(alphas, key=lambda a: brute_loo(j, a))


def test_model_version_follows_weights(tmp_path: Path) -> None:
    from emotion.audio_model import MODEL_VERSION, version_of

    if not WEIGHTS.is_file():
        pytest.skip("no shipped weights")
    assert version_of(WEIGHTS) == MODEL_VERSION
    copy = tmp_path / "w.safetensors"
    copy.write_bytes(WEIGHTS.read_bytes() + b"\0")
    assert version_of(copy) != MODEL_VERSION


@pytest.fixture(scope="module")
def shipped():
    if not WEIGHTS.is_file():
        pytest.skip("no shipped weights")
    from emotion.audio_model import AudioMoodModel

    return AudioMoodModel.load(threads=1)


@needs_fluidsynth
def test_shipped_model_separates_contrasting_pieces(shipped, tmp_path: Path) -> None:
    bright = write_piece(tmp_path / "bright.mid", bpm=160, velocity=112, minor=False, octave=1, notes_per_beat=4)
    dark = write_piece(tmp_path / "dark.mid", bpm=52, velocity=38, minor=True, octave=-1, notes_per_beat=1,
                       beats=16)
    rb = shipped.predict_file(synth.render_midi(bright, tmp_path / "bright.wav"))
    rd = shipped.predict_file(synth.render_midi(dark, tmp_path / "dark.wav"))
    assert rb["arousal"] > rd["arousal"] and rb["valence"] > rd["valence"]
    opposite = {rb["quadrant"], rd["quadrant"]} in ({"Q1", "Q3"}, {"Q2", "Q4"})
    clearly = rb["valence"] - rd["valence"] > 0.3 and rb["arousal"] - rd["arousal"] > 0.3
    assert opposite or clearly, (rb, rd)


@needs_fluidsynth
def test_eval_cli_midi_and_audio(shipped, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (SHARED / "emopia" / "labels.csv").is_file():
        pytest.skip("shared data missing")
    from emotion import audio_eval

    with open(SHARED / "emopia" / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))[::300]
    labels = tmp_path / "emopia.csv"
    with open(labels, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert audio_eval.main(["audio", "--midi-dir", str(SHARED / "emopia" / "midi"), "--labels", str(labels),
                            "--cache-dir", str(tmp_path / "renders"), "--threads", "1"]) == 0
    res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert res["n"] == len(rows)
    for k in ("quadrant_accuracy", "valence_accuracy", "arousal_accuracy"):
        assert 0.0 <= res[k] <= 1.0

    with open(SHARED / "emotify" / "labels.csv", newline="") as fh:
        erows = list(csv.DictReader(fh))[::60]
    elabels = tmp_path / "emotify.csv"
    with open(elabels, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(erows[0]))
        w.writeheader()
        w.writerows(erows)
    assert audio_eval.main(["--audio-dir", str(SHARED / "emotify" / "audio"), "--labels", str(elabels),
                            "--threads", "1"]) == 0
    res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert res["n"] == len(erows) and -1 <= res["valence_r"] <= 1 and -1 <= res["arousal_r"] <= 1


# --- the musicnn port -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def musicnn_net():
    if not WEIGHTS.is_file():
        pytest.skip("no shipped weights")
    from safetensors.numpy import load_file

    from emotion import musicnn as mn

    return mn.load_from_tensors(load_file(str(WEIGHTS)))


def test_musicnn_port_matches_tensorflow_reference(musicnn_net) -> None:
    """The converted network reproduces what the original TensorFlow musicnn (MSD_musicnn) computed for a fixed
    log-mel patch (reference recorded with emotion/musicnn_tf_reference.py, tensorflow-cpu 2.15.1)."""
    import torch

    ref = np.load(MUSICNN_REF)
    with torch.inference_mode():
        out = musicnn_net(torch.from_numpy(ref["x"]))
    assert out["logits"].shape == (1, 50) and out["penultimate"].shape == (1, 200)
    assert out["mean_pool"].shape == (1, 753) and out["max_pool"].shape == (1, 753)
    np.testing.assert_allclose(out["logits"].numpy(), ref["logits"], atol=1e-3)
    np.testing.assert_allclose(out["taggram"].numpy(), ref["taggram"], atol=1e-4)
    np.testing.assert_allclose(out["penultimate"].numpy(), ref["penultimate"], atol=1e-3)
    np.testing.assert_allclose(out["mean_pool"].numpy(), ref["mean_pool"], atol=1e-3)


def test_musicnn_front_end_reduces_before_relu_and_batch_norm_to_the_bit(musicnn_net) -> None:
    """Each front-end block computes max over frequency of bn(relu(conv)) by reducing the conv output first (the
    min where a channel's batch-norm scale is negative): the same floats as the literal formula, on real patches."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.load(MUSICNN_REF)["x"]).unsqueeze(1)  # B x 1 x T x F
    x = torch.cat([x, x.flip(2) * 0.5 - 0.3]).contiguous()
    with torch.inference_mode():
        x = musicnn_net.bn_in(x)
        for name in ("f74", "f77", "s1", "s2", "s3"):
            blk = getattr(musicnn_net, name)
            assert bool((blk.bn.weight < 0).any()) and bool((blk.bn.weight > 0).any()), name  # both paths run
            xin = F.pad(x, (0, 0, 3, 3)) if name in ("f74", "f77") else x
            padded = F.pad(xin, (0, 0, blk.pad_t[0], blk.pad_t[1]))
            literal = blk.bn(F.relu(blk.conv(padded))).amax(dim=3)
            np.testing.assert_array_equal(blk(xin).numpy(), literal.numpy(), err_msg=name)


@needs_fluidsynth
def test_mtt_network_hears_the_instrument(tmp_path: Path) -> None:
    """The second network (MTT_musicnn, no TensorFlow reference kept) tags what it hears with MTT's labels: the
    same piece rendered as piano has 'piano' among its top tags; rendered with GM strings, 'strings' is among the
    top 2 and 'piano' far down (the real network: 1st and 18th). Random weights, or MSD_musicnn's network stored
    under the MTT key (its 'strings' 4th, 'piano' 8th), fail this."""
    import torch
    from safetensors.numpy import load_file

    from emotion import musicnn as mn
    from emotion.audio_model import window_patches

    if not WEIGHTS.is_file():
        pytest.skip("no shipped weights")
    tensors = load_file(str(WEIGHTS))
    assert mn.has_network(tensors, mn.MTT_KEY)
    # not a copy of the MSD network:
    msd = {k[len("musicnn."):]: v for k, v in tensors.items() if k.startswith("musicnn.")}
    mtt = {k[len(mn.MTT_KEY) + 1:]: v for k, v in tensors.items() if k.startswith(mn.MTT_KEY + ".")}
    assert msd.keys() == mtt.keys() and any(not np.array_equal(msd[k], mtt[k]) for k in msd)
    net, fb = mn.load_from_tensors(tensors, mn.MTT_KEY), tensors["musicnn_mel_fb"]
    piece = write_piece(tmp_path / "p.mid", bpm=96, velocity=80, minor=False, octave=0, notes_per_beat=2, beats=24)

    def tags(program: int | None) -> list[str]:
        wav = synth.render_midi(piece, tmp_path / f"p{program}.wav", program=program)
        excerpts = af.load_excerpts(wav, n_windows=3, win_s=af.WIN_S)
        x = np.concatenate([window_patches(y, fb) for y in excerpts])
        with torch.inference_mode():
            tg = net(torch.from_numpy(x))["taggram"].mean(dim=0).numpy()
        return [mn.MTT_LABELS[i] for i in np.argsort(-tg)]

    piano, strings = tags(None), tags(48)
    assert "piano" in piano[:3], piano[:5]
    assert strings.index("strings") <= 1 and strings.index("piano") > 10, strings[:12]


def test_musicnn_log_mel_and_patches() -> None:
    from emotion import audio_model as am
    from emotion import musicnn as mn

    fb = np.random.default_rng(0).random((mn.N_MELS, mn.N_FFT // 2 + 1)).astype(np.float32) * 1e-3
    y = (0.1 * np.sin(2 * np.pi * 440 * np.arange(8 * mn.SR) / mn.SR)).astype(np.float32)
    lm = mn.log_mel(y, fb)
    assert lm.shape == (8 * mn.SR // mn.HOP + 1, mn.N_MELS) and np.isfinite(lm).all() and lm.min() >= 0
    p = am.window_patches(y, fb)
    assert p.shape == (am.PATCHES_PER_WINDOW, mn.PATCH_FRAMES, mn.N_MELS)
    np.testing.assert_array_equal(p[0], lm[:mn.PATCH_FRAMES])
    np.testing.assert_array_equal(p[-1], lm[-mn.PATCH_FRAMES:])
    short = am.window_patches(y[: mn.SR], fb)  # 1 s: one zero-padded patch
    assert short.shape == (1, mn.PATCH_FRAMES, mn.N_MELS) and not short[0, -1].any()


def test_musicnn_checkpoint_reader_if_package_installed() -> None:
    from emotion import musicnn as mn

    try:
        prefix = mn.find_checkpoint()
    except FileNotFoundError:
        pytest.skip("musicnn package not installed")
    ckpt = mn.read_tf_checkpoint(prefix)
    assert ckpt["conv2d/kernel"].shape == (7, 38, 1, 204) and ckpt["dense_1/kernel"].shape == (200, 50)
    sd = mn.convert_state_dict(ckpt)
    net = mn.load_from_tensors({f"musicnn.{k}": v for k, v in sd.items()})
    assert sum(p.numel() for p in net.parameters()) > 700_000
    if WEIGHTS.is_file():  # the shipped second network is exactly the package's MTT_musicnn, converted
        from safetensors.numpy import load_file

        shipped = load_file(str(WEIGHTS))
        mtt = mn.converted_tensors(mn.find_checkpoint(model="MTT_musicnn"), key=mn.MTT_KEY)
        for k, v in mtt.items():
            np.testing.assert_array_equal(shipped[k], v, err_msg=k)


def _chord_audio(freqs: list[float], seconds: float = 8.0) -> np.ndarray:
    t = np.arange(int(seconds * af.SR)) / af.SR
    env = np.exp(-3.0 * (t % 1.0))  # struck once a second, like a piano
    y = sum(np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) for f in freqs) * env
    return (0.2 * y).astype(np.float32)


def test_harmony_features_major_minor_and_transposition() -> None:
    """Chord-quality shares tell a major triad from a minor one; the features do not change under transposition."""
    names = list(af.HARMONY_NAMES)
    c_major = af.window_harmony(_chord_audio([261.63, 329.63, 392.00]))
    c_minor = af.window_harmony(_chord_audio([261.63, 311.13, 392.00]))
    e_major = af.window_harmony(_chord_audio([329.63, 415.30, 493.88]))  # the same chord four semitones up
    assert c_major.shape == (af.N_HARMONY,) and np.isfinite(c_major).all()
    assert c_major[names.index("chord_maj")] > 0.8 and c_major[names.index("chord_min")] < 0.1
    assert c_minor[names.index("chord_min")] > 0.8 and c_minor[names.index("chord_maj")] < 0.1
    # key-relative pitch use: the major third (degree 4) in major, the minor third (degree 3) in minor
    assert c_major[names.index("degree4")] > 3 * c_major[names.index("degree3")]
    assert c_minor[names.index("degree3")] > 3 * c_minor[names.index("degree4")]
    assert np.allclose(c_major, e_major, atol=0.08)
    assert not np.allclose(c_major, c_minor, atol=0.08)


def test_cached_features_keep_each_windows_first_patch(tmp_path) -> None:
    """A one-patch-a-window config reads each window's first patch from a cache featurised on two, whether the
    cache holds MTT on both patches or (as the shipped recipe caches it) on first patches only."""
    from emotion.train_audio import load_features

    w = 3
    pen = np.arange(2 * w, dtype=np.float32)[:, None] * np.ones((1, 200), np.float32)
    mtt_both = 10 + pen
    mtt_first = 10 + pen[0::2]
    for name, mtt in (("both", mtt_both), ("first", mtt_first)):
        path = tmp_path / f"{name}.npz"
        np.savez(path, hc=np.zeros((w, 34), np.float32), sal=np.zeros((w, 20), np.float32), pen=pen,
                 logits=pen[:, :50], mtt_pen=mtt, mtt_logits=mtt[:, :50])
        one = load_features([{"cache": str(path)}], per_window=1)[0]
        assert one["pen"][:, 0].tolist() == [0, 2, 4], name
        assert one["mtt_pen"][:, 0].tolist() == [10, 12, 14], name
        assert len(one["hc"]) == w and len(one["sal"]) == w
        two = load_features([{"cache": str(path)}], per_window=2, mtt_per_window=1)[0]
        assert two["pen"][:, 0].tolist() == list(range(2 * w))
        assert two["mtt_pen"][:, 0].tolist() == [10, 12, 14], name
