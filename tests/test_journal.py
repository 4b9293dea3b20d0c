"""Journal reader: shipped heads, edge cases, tiny training run, store round trip, eval CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from emotion import sentences as st
from emotion.mood_space import EKMAN_CLASSES, Observation
from library.journal import JournalStore

HAPPY = "Today was wonderful! I got the job and celebrated with my best friends. I feel so happy and loved."
SAD = "I feel so sad and lonely. My dog died this morning and I can't stop crying."
FURIOUS = "I am absolutely furious! He lied to me again and I screamed at him. I want to smash something!"
SLEEPY = "I feel sleepy and relaxed. A quiet, slow evening on the sofa, half asleep."


@pytest.fixture(scope="module")
def reader():
    from emotion.text_model import JournalReader

    return JournalReader(threads=1).load()


def test_split_sentences_and_words() -> None:
    parts = st.split_sentences("First one. Second one!  Third?\n\nA new paragraph without a stop")
    assert parts == ["First one.", "Second one!", "Third?", "A new paragraph without a stop"]
    long = st.split_sentences("word " * 300, max_chars=100)
    assert len(long) >= 10 and all(len(p) <= 100 for p in long)
    assert st.words("🙂 🎉 123 !!") == []


def test_heads_directions(reader) -> None:
    happy, sad = reader.read(HAPPY), reader.read(SAD)
    furious, sleepy = reader.read(FURIOUS), reader.read(SLEEPY)
    assert all(r.ok for r in (happy, sad, furious, sleepy))
    assert happy.valence > sad.valence + 0.3
    assert furious.arousal > sleepy.arousal + 0.2
    assert happy.top_emotion == "joy"
    assert sad.top_emotion == "sadness"
    assert furious.top_emotion == "anger"
    assert -1.0 <= sad.valence <= 1.0 and -1.0 <= furious.arousal <= 1.0
    assert set(happy.emotions) == set(EKMAN_CLASSES)


def test_text_encoder_plain_embeddings() -> None:
    import numpy as np

    from emotion.text_model import TextEncoder

    enc = TextEncoder(threads=1)
    assert not enc.loaded and enc.encode([]).shape == (0, 384)
    e = enc.encode(["a calm piano ballad", "a quiet soft piano song", "aggressive heavy metal riffs", ""])
    assert e.shape == (4, 384) and e.dtype == np.float32 and enc.loaded
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-4)
    assert e[0] @ e[1] > e[0] @ e[2]


def test_sentences_weighted_and_observation(reader) -> None:
    text = "I had cereal for breakfast. " + "I am devastated and heartbroken, my best friend betrayed me."
    r = reader.read(text)
    assert r.ok and r.n_sentences == 2 and len(r.sentences) == 2
    weights = [w for _, w, _, _ in r.sentences]
    assert weights == sorted(weights, reverse=True) and abs(sum(weights) - 1) < 1e-6
    assert "devastated" in r.sentences[0][0]  # the emotional sentence drove the result
    obs = r.to_observation()
    assert isinstance(obs, Observation) and obs.source == "journal"
    assert obs.valence == r.valence and 0 < obs.confidence <= 1
    d = r.to_dict()
    json.dumps(d)
    assert type(r).from_dict(d).top_emotions == [(k, round(v, 4)) for k, v in r.top_emotions]


@pytest.mark.parametrize("text,ok", [
    ("", False), ("   \n\t ", False), (None, False), ("🙂😢🎉🔥", False), ("12345 !!! ???", False),
    ("今天我很难过，因为我的猫生病了。", False), ("Сегодня я очень счастлив и рад.", False),
    ("Aujourd'hui je suis très triste parce que mon chat est malade et personne ne comprend.", False),
    ("ok", True),
])
def test_edge_cases_never_raise(reader, text, ok) -> None:
    r = reader.read(text)
    assert r.ok is ok
    if not ok:
        assert r.message.startswith("can't read this")
        assert r.to_observation().confidence == 0.0


def test_very_long_entry_is_fast_and_says_so(reader) -> None:
    text = (HAPPY + " " + SAD + " ") * 400  # ~70k characters
    assert len(text) > 50_000
    t0 = time.perf_counter()
    r = reader.read(text[:50_000])
    assert time.perf_counter() - t0 < 20
    assert r.ok and r.n_read <= reader.max_sentences < r.n_sentences
    assert "long entry" in r.message
    r2 = reader.read(text)
    assert r2.truncated and "characters" in r2.message


def test_tiny_training_run(tmp_path: Path) -> None:
    from emotion import train_text
    from emotion.text_model import JournalReader

    out = tmp_path / "w"
    assert train_text.main(["--tiny", "--threads", "1", "--out", str(out)]) == 0
    cfg = json.loads((out / "text_heads.json").read_text())
    assert cfg["tiny"] and cfg["steps_done"] == 3
    assert len(cfg["thresholds"]) == 7
    assert "valence_r" in cfg["metrics"]["emobank_dev"]
    assert "python -m emotion.train_text" in (out / "text_heads.md").read_text()
    r = JournalReader(weights_dir=out, threads=1).read("A short test entry about my day.")
    assert r.ok and -1 <= r.valence <= 1


def test_eval_cli_small_files(tmp_path: Path, capsys) -> None:
    from emotion import text_eval

    csv = tmp_path / "eb.csv"
    csv.write_text('id,split,V,A,D,text\na,test,4.2,3.4,3.0,"I love this, it is wonderful!"\n'
                   'b,test,1.8,3.1,2.5,"This is terrible and sad."\n'
                   'c,test,3.0,2.6,3.0,"The meeting is at noon."\n', encoding="utf-8")
    assert text_eval.main(["text", "--emobank", str(csv), "--threads", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 3 and {"valence_r", "arousal_r", "valence_r2", "arousal_r2"} <= set(out)
    assert out["valence_r"] > 0.5
    tsv = tmp_path / "ge.tsv"
    tsv.write_text("I am so angry at you\t0\tx1\nthis is great, thanks!\t3\tx2\nwhat?! no way\t6,3\tx3\n",
                   encoding="utf-8")
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join(EKMAN_CLASSES), encoding="utf-8")
    assert text_eval.main(["text", "--goemotions", str(tsv), "--labels", str(labels), "--threads", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 3 and 0 <= out["macro_f1"] <= 1 and 0 <= out["accuracy"] <= 1


def test_metrics_helpers() -> None:
    import numpy as np

    from emotion.train_text import decide, emotion_metrics, pearson, r2, tune_thresholds

    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert abs(pearson(y, y) - 1) < 1e-9 and abs(r2(y, y) - 1) < 1e-9 and r2(y * 0 + y.mean(), y) == 0
    probs = np.array([[0.9, 0.1], [0.2, 0.3], [0.1, 0.8]])
    true = np.array([[1, 0], [0, 1], [0, 1]], dtype=float)
    pred = decide(probs, np.array([0.5, 0.5]))
    assert pred.tolist() == [[True, False], [False, True], [False, True]]  # row 2: none over -> best ratio
    m = emotion_metrics(probs, true, np.array([0.5, 0.5]))
    assert m["macro_f1"] == 1.0 and m["accuracy"] == 1.0
    th = tune_thresholds(probs, true)
    assert th.shape == (2,)


def test_journal_store_round_trip_and_delete(tmp_path: Path) -> None:
    from library.store import Store

    path = tmp_path / "moodtape.json"
    store = Store(path)
    js = JournalStore(store)
    a = js.add("secret diary text about pineapples", {"ok": True, "valence": 0.5})
    time.sleep(0.01)
    b = js.add("second entry", {"ok": False})
    assert [e["id"] for e in js.list()] == [b, a]  # newest first
    e = js.get(a)
    assert e["text"].startswith("secret") and e["reading"]["valence"] == 0.5 and e["created"] == e["updated"]
    time.sleep(0.01)
    js.update(a, "edited pineapples entry", {"ok": True, "valence": -0.2})
    e = js.get(a)
    assert e["text"] == "edited pineapples entry" and e["updated"] > e["created"]
    store.close()
    store = Store(path)  # survives a reopen
    js = JournalStore(store)
    assert js.get(a)["reading"]["valence"] == -0.2 and len(js) == 2
    assert "pineapples" in path.read_text()
    assert js.delete(a) and js.get(a) is None and not js.delete(a)
    for f in tmp_path.iterdir():  # gone from the store file and from its backup copy
        assert "pineapples" not in f.read_text(errors="ignore"), f
    assert [x["id"] for x in js.list()] == [b]
    with pytest.raises(KeyError):
        js.update(a, "x")
    store.close()
