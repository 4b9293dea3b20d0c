import json
import os
import stat
from pathlib import Path

import pytest

from library.store import SCHEMA_VERSION, Store, StoreCorrupt


def test_round_trip_and_restart(tmp_path):
    path = tmp_path / "db.json"
    s = Store(path)
    s.upsert_tracks([{"path": "/m/a.mp3", "title": "A", "size": 1}, {"path": "/m/b.mp3", "title": "B", "size": 2}])
    s.update_tracks([("/m/a.mp3", {"valence": 0.5, "moods": {"calm": 0.9}})])
    s.set_state("volume", 42)
    s.add_problem("/m/x.mp3", "scan", "empty file")
    s.close()
    again = Store(path)
    assert again.schema_version == SCHEMA_VERSION
    assert again.get_track("/m/a.mp3") == {"path": "/m/a.mp3", "title": "A", "size": 1, "valence": 0.5,
                                           "moods": {"calm": 0.9}}
    assert again.get_state("volume") == 42
    assert [p["reason"] for p in again.problems()] == ["empty file"]
    again.remove_tracks(["/m/b.mp3"])
    again.flush()
    assert [t["path"] for t in Store(path).all_tracks()] == ["/m/a.mp3"]


def test_nothing_reaches_disk_before_flush(tmp_path):
    path = tmp_path / "db.json"
    s = Store(path)
    s.flush()
    s.upsert_tracks([{"path": "/m/a.mp3", "title": "A"}])
    assert Store(path).track_count() == 0  # batched: not written yet
    s.flush()
    assert Store(path).track_count() == 1


def test_file_is_user_only(tmp_path):
    s = Store(tmp_path / "db.json")
    s.set_state("x", 1)
    s.flush()
    assert stat.S_IMODE(os.stat(tmp_path / "db.json").st_mode) == 0o600


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_file_restores_last_good_copy(tmp_path, damage):
    path = tmp_path / "db.json"
    s = Store(path)
    s.upsert_tracks([{"path": f"/m/{i}.mp3", "title": str(i)} for i in range(10)])
    s.flush()
    s.set_state("volume", 7)
    s.flush()  # now db.json.bak holds the 10 tracks, db.json the tracks + volume
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"\x00\xffnot json")
    again = Store(path)
    assert again.recovered and "restored the last good copy" in again.recovered
    assert again.track_count() == 10
    json.loads(path.read_text())  # the restored file is valid again
    assert list(tmp_path.glob("db.json.damaged-*")), "the damaged file is kept aside, not lost"


def test_damaged_without_backup_starts_empty_and_says_so(tmp_path):
    path = tmp_path / "db.json"
    path.write_text("{broken")
    s = Store(path)
    assert s.track_count() == 0
    assert "no backup" in s.recovered


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "db.json"
    path.write_text(json.dumps({"_meta": {"1": {"schema_version": SCHEMA_VERSION + 1}}}))
    with pytest.raises(StoreCorrupt):
        Store(path)


def test_non_utf8_paths_survive(tmp_path):
    odd = os.fsdecode(b"/music/caf\xe9.mp3")
    s = Store(tmp_path / "db.json")
    s.upsert_tracks([{"path": odd, "title": "x"}])
    s.close()
    assert Store(tmp_path / "db.json").get_track(odd)["title"] == "x"


def test_purge_leaves_no_old_data_in_any_file(tmp_path):
    path = tmp_path / "db.json"
    s = Store(path)
    row = s.insert_row("journal", {"text": "my secret diary words"})
    s.flush()
    s.set_state("x", 1)
    s.flush()  # the backup now holds the text too
    (tmp_path / "db.json.damaged-1").write_text('{"journal": "my secret diary words"}')
    s.remove_row("journal", row)
    s.purge()
    for f in tmp_path.iterdir():
        assert b"my secret diary words" not in f.read_bytes(), f.name
    assert Store(path).get_state("x") == 1


def test_default_user_dirs_are_user_only(tmp_path, monkeypatch):
    """The data, config and cache dirs are 0700, also when an older version left them readable to others."""
    from library import paths

    for var in ("MOODTAPE_DATA_DIR", "MOODTAPE_CONFIG_DIR", "MOODTAPE_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var))
    (tmp_path / "XDG_DATA_HOME" / "moodtape").mkdir(parents=True, mode=0o755)
    os.chmod(tmp_path / "XDG_DATA_HOME" / "moodtape", 0o755)
    dirs = [paths.data_dir(), paths.config_dir(), paths.cache_dir()]
    assert [d.parent.name for d in dirs] == ["XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"]
    for d in dirs:
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, d
    s = Store()  # the store in the default data dir: user-only too
    s.set_state("x", 1)
    s.flush()
    s.set_state("x", 2)
    s.flush()
    for f in (s.path, Path(str(s.path) + ".bak")):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f


def test_window_tells_the_user_the_store_was_restored(tmp_path, qtbot):
    from player.backend import NullBackend
    from ui.app import build_window

    path = tmp_path / "db.json"
    s = Store(path)
    s.upsert_tracks([{"path": "/m/a.mp3", "title": "a"}])
    s.flush()
    s.set_state("volume", 7)
    s.flush()
    path.write_bytes(path.read_bytes()[:20])
    w = build_window(Store(path), backend=NullBackend(), auto_tag=False, mood=False)
    qtbot.addWidget(w)
    assert "restored the last good copy" in w.statusBar().currentMessage()
    assert w.library.rowCount() == 1
