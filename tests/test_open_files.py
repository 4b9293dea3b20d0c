"""Opening files with Moodtape: command-line paths and file:// URLs (a file manager's "Open with"), single files
outside the library, dropped music files, and the second start handing files to the running player."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from library.open_targets import NOT_FOUND, NOT_LOCAL, NOT_MEDIA, absolute_args, library_path, local_path, sort_targets
from library.scanner import scan_files
from library.store import Store
from tests.player_process import player_env, wait_for

ROOT = Path(__file__).resolve().parents[1]


def test_arguments_are_sorted_into_folders_playlists_and_music(tmp_path: Path) -> None:
    music = tmp_path / "My Music"
    music.mkdir()
    song = music / "a song.mp3"
    song.write_bytes(b"x")
    odd = tmp_path / os.fsdecode(b"caf\xe9.ogg")  # a name that is not UTF-8
    odd.write_bytes(b"x")
    playlist = tmp_path / "mix.m3u8"
    playlist.write_text("a song.mp3\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("hi")
    args = ["file:///" + str(song).lstrip("/").replace(" ", "%20"), "file://localhost" + str(odd).replace(
        os.fsdecode(b"\xe9"), "%E9"), "mix.m3u8", str(music), "http://radio.example/stream.mp3",
        str(tmp_path / "gone.mp3"), "notes.txt", str(song), ""]
    t = sort_targets(args, cwd=str(tmp_path))
    assert t.media == [str(song), str(odd)]  # in order, the second mention of the song dropped
    assert t.playlists == [str(playlist)] and t.folders == [str(music)]
    assert t.skipped == [("http://radio.example/stream.mp3", NOT_LOCAL), (str(tmp_path / "gone.mp3"), NOT_FOUND),
                         ("notes.txt", NOT_MEDIA)]
    assert local_path("file://otherhost/x.mp3") is None
    assert absolute_args(["x.mp3", "http://a/b"], cwd="/music") == ["/music/x.mp3", "http://a/b"]
    assert not sort_targets([])
    link = tmp_path / "link"
    link.symlink_to(music)
    assert library_path(str(link / "a song.mp3"), [str(music)]) == str(song)  # as the folder's scan names it
    assert library_path(str(song), [str(link)]) == str(link / "a song.mp3")
    assert library_path(str(song), [str(music)]) == str(song) and library_path(str(odd), [str(music)]) is None


def test_single_files_are_read_kept_up_to_date_and_forgotten_when_deleted(tmp_path: Path, media_dir: Path) -> None:
    store = Store(tmp_path / "db.json")
    loose = tmp_path / "downloads"
    loose.mkdir()
    song = Path(shutil.copy(media_dir / "song_a.mp3", loose / "tune.mp3"))
    broken = loose / "broken.mp3"
    broken.write_bytes(b"\x00" * 100)
    away = tmp_path / "unplugged" / "far.mp3"
    first = scan_files(store, [str(song), str(broken), str(away)])
    assert (first.added, first.unchanged, first.gone) == (1, 0, [])  # a missing drive is not "gone"
    track = store.get_track(str(song))
    assert track is not None and track["title"] == "Morning Run" and track["added"] > 0
    assert [p for p, _ in first.problems] == [str(broken)]
    assert [p["path"] for p in store.problems("scan")] == [str(broken)]

    again = scan_files(store, [str(song)])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)  # not read again
    os.utime(song, (time.time() + 10, time.time() + 10))
    changed = scan_files(store, [str(song)])
    assert changed.updated == 1 and store.get_track(str(song))["added"] == track["added"]

    store.update_tracks([(str(song), {"plays": 6})])
    moved = Path(shutil.move(song, loose / "moved.mp3"))
    gone = scan_files(store, [str(song)])
    assert gone.gone == [str(song)] and gone.removed == 1 and store.get_track(str(song)) is None
    back = scan_files(store, [str(moved)])  # opened again from where it went: it is the same track
    assert back.moved == [(str(song), str(moved))] and store.get_track(str(moved))["plays"] == 6


@pytest.fixture
def window(media_window, tmp_path):
    return media_window


def _library_paths(w) -> set[str]:
    return {t["path"] for t in w.library.rows()}


def test_opened_files_play_now_and_a_file_from_elsewhere_joins_the_library(window, media_dir, tmp_path) -> None:
    from ui.open_files import open_paths

    elsewhere = tmp_path / "Downloads"
    elsewhere.mkdir()
    outside = Path(shutil.copy(media_dir / "song_b.flac", elsewhere / "gift.flac"))
    window.store.set_state("library_folders", [str(media_dir)])
    inside = str(media_dir / "song_c.ogg")
    window.engine.queue.add([str(media_dir / "song_d.wav")])  # queued by hand before
    assert str(outside) not in _library_paths(window)

    open_paths(window, ["file://" + str(outside), inside, str(tmp_path / "nothing.mp3")])
    assert window.engine.current == str(outside)  # the first plays now
    assert window.engine.queue.pinned_paths()[:2] == [inside, str(media_dir / "song_d.wav")]  # the rest next
    assert str(outside) in _library_paths(window)  # a track like any other: tagged, counted, remembered
    assert window.library_files() == [str(outside)]
    assert window.store.get_track(str(outside))["title"] == "Slow River"
    msg = window.statusBar().currentMessage()
    assert "Playing Slow River, 1 track next" in msg and "1 file left out: not found" in msg

    # opened again: nothing is added twice
    open_paths(window, [str(outside)])
    assert window.library_files() == [str(outside)]
    assert sum(1 for p in _library_paths(window) if p == str(outside)) == 1

    # Settings → Library lists it; taking it out forgets the track, not the file
    from ui import desktop

    desktop.update_folders(window, [str(media_dir)])
    assert window.library_files() == [] and str(outside) not in _library_paths(window)
    assert window.store.get_track(str(outside)) is None and outside.exists()

    # a folder that takes the file in owns it from then on
    open_paths(window, [str(outside)])
    assert window.library_files() == [str(outside)]
    window.add_folder(str(elsewhere))
    assert window.library_files() == [] and str(outside) in _library_paths(window)


def test_an_opened_playlist_plays_and_dropped_files_are_queued(window, media_dir, tmp_path) -> None:
    from ui.open_files import open_paths

    elsewhere = tmp_path / "stick"
    elsewhere.mkdir()
    outside = Path(shutil.copy(media_dir / "song_c.ogg", elsewhere / "other.ogg"))
    playlist = elsewhere / "list.m3u"
    playlist.write_text(f"other.ogg\n{media_dir / 'song_a.mp3'}\nmissing.mp3\nhttp://x/y.mp3\n")
    open_paths(window, [str(playlist)])
    assert window.engine.current == str(outside)
    assert window.engine.queue.pinned_paths()[0] == str(media_dir / "song_a.mp3")
    assert "2 files left out" in window.statusBar().currentMessage()

    before = window.engine.current
    open_paths(window, [str(media_dir / "song_b.flac"), str(media_dir / "sub" / "song_e.m4a")], play=False)
    assert window.engine.current == before  # a drop does not interrupt
    pinned = window.engine.queue.pinned_paths()
    assert pinned[-2:] == [str(media_dir / "song_b.flac"), str(media_dir / "sub" / "song_e.m4a")]
    assert "Queued 2 tracks" in window.statusBar().currentMessage()
    notes = tmp_path / "notes.txt"
    notes.write_text("hi")
    assert window._droppable(str(media_dir / "song_b.flac")) and not window._droppable(str(notes))


def test_a_new_file_in_a_library_folder_is_read_but_left_to_the_folder(window, media_dir, tmp_path) -> None:
    from ui.open_files import open_paths

    folder = tmp_path / "lib"
    folder.mkdir()
    window.store.set_state("library_folders", [str(media_dir), str(folder)])
    new = Path(shutil.copy(media_dir / "song_a.mp3", folder / "new.mp3"))  # not scanned yet
    open_paths(window, [str(new)])
    assert window.engine.current == str(new) and str(new) in _library_paths(window)
    assert window.library_files() == []


def test_a_broken_file_is_listed_and_nothing_plays(window, tmp_path) -> None:
    from ui.open_files import open_paths

    broken = tmp_path / "bad.mp3"
    broken.write_bytes(b"\x00" * 64)
    open_paths(window, [str(broken)])
    assert window.engine.current is None
    assert "1 file could not be read (see Problems)" in window.statusBar().currentMessage()
    assert str(broken) in {p["path"] for p in window.store.problems()}


def _stored(db: Path) -> dict:
    try:
        return json.loads(db.read_text())
    except (OSError, ValueError):
        return {}


def test_open_with_starts_the_player_or_hands_the_file_to_the_running_one(tmp_path, media_dir) -> None:
    env = player_env(tmp_path)
    db = tmp_path / "data" / "moodtape.json"
    first_file = Path(shutil.copy(media_dir / "song_a.mp3", tmp_path / "first.mp3"))
    second_file = Path(shutil.copy(media_dir / "song_c.ogg", tmp_path / "second file.ogg"))

    def library_files() -> list[str]:
        return [row.get("value") for row in _stored(db).get("state", {}).values()
                if row.get("key") == "library_files"][:1] or [[]]

    def tracks() -> set[str]:
        return {row.get("path") for row in _stored(db).get("tracks", {}).values()}

    player = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--no-demo", "first.mp3"], cwd=tmp_path,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: str(first_file) in tracks(), 60, "the opened file in the library")
        second = subprocess.run([sys.executable, str(ROOT / "main.py"), "file://" + str(second_file).replace(
            " ", "%20")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        wait_for(lambda: str(second_file) in tracks(), 30, "the handed-over file in the library")
        assert library_files()[0] == [str(first_file), str(second_file)]
        assert player.poll() is None
    finally:
        player.kill()
        player.wait(10)


def test_symlinked_library_folders_give_one_track_per_file(window, media_dir, tmp_path) -> None:
    from ui import desktop
    from ui.open_files import open_paths

    downloads = tmp_path / "real" / "Downloads"
    downloads.mkdir(parents=True)
    tune = Path(shutil.copy2(media_dir / "song_a.mp3", downloads / "tune.mp3"))
    open_paths(window, [str(tune)])
    window.store.update_tracks([(str(tune), {"plays": 4})])
    link = tmp_path / "Music"  # a library folder added later through a symlink to where the file is
    link.symlink_to(downloads)
    window.add_folder(str(link))
    same = [t["path"] for t in window.store.all_tracks() if os.path.realpath(t["path"]) == str(tune)]
    assert same == [str(link / "tune.mp3")] and window.library_files() == []  # one track, the folder's
    assert window.store.get_track(str(link / "tune.mp3"))["plays"] == 4
    desktop.update_folders(window, [p for p in window.library_folders() if p != str(link)])
    assert not [t for t in window.store.all_tracks() if os.path.realpath(t["path"]) == str(tune)]

    real = tmp_path / "data" / "Music"  # a new file opened by its real name in a symlinked library folder
    real.mkdir(parents=True)
    music = tmp_path / "Music2"
    music.symlink_to(real)
    window.add_folder(str(music))
    new = Path(shutil.copy2(media_dir / "song_b.flac", real / "new.flac"))
    open_paths(window, [str(new)])
    window.scan(str(music))
    same = [t["path"] for t in window.store.all_tracks() if os.path.realpath(t["path"]) == str(new)]
    assert same == [str(music / "new.flac")] and window.engine.current == str(music / "new.flac")


def test_settings_keep_a_single_file_whose_name_is_not_utf8_and_forget_deleted_ones(window, media_dir,
                                                                                      tmp_path) -> None:
    from library import settings as settings_mod
    from ui import desktop, settings_dialog
    from ui.open_files import open_paths

    odd = Path(shutil.copy2(media_dir / "song_c.ogg", tmp_path / os.fsdecode(b"caf\xe9.ogg")))
    gone = Path(shutil.copy2(media_dir / "song_d.wav", tmp_path / "gone.wav"))
    open_paths(window, ["file://" + str(tmp_path) + "/caf%E9.ogg", str(gone)])
    assert window.library_files() == [str(odd), str(gone)]
    dialog = settings_dialog.SettingsDialog(settings_mod.load(), window.library_folders() + window.library_files())
    assert "caf\ufffd.ogg" in dialog.folder_list.item(dialog.folder_list.count() - 2).text()  # shown readably
    desktop.update_folders(window, dialog.result_folders())  # OK without a change
    assert window.library_files() == [str(odd), str(gone)] and window.store.get_track(str(odd)) is not None

    gone.unlink()
    window.rescan_all()  # (as at the next start): a deleted single file leaves the list and the library
    assert window.library_files() == [str(odd)] and window.store.get_track(str(gone)) is None
