"""Desktop notifications: the real D-Bus wire protocol on a private bus (dbus-daemon) with a notification server
written here, and the window's announcer with a recording client."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest

from ui.notifications import NOTIFY_SIGNATURE, NotificationClient, escape_markup, track_text

SERVICE = "org.freedesktop.Notifications"


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmp}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def bus_address(tmp_path):
    """A private session bus of its own (nothing reaches the developer's desktop), with no service files: a
    notification daemon installed on the machine (dunst, say) is not started by it."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is needed")
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(tmp=tmp_path))
    proc = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = proc.stdout.readline().strip()
    assert address.startswith("unix:"), address
    yield address
    proc.terminate()
    proc.wait(5)


class FakeServer:
    """A notification server on the bus: records each call's signature and arguments, answers like a real one."""

    def __init__(self, address: str, capabilities: list[str], first_id: int = 7) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.capabilities = capabilities
        self.next_id = first_id
        self.calls: list[tuple[str, str, tuple]] = []
        self.conn = open_dbus_connection(bus=address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(SERVICE), timeout=5)
        assert reply.body[0] == 1  # primary owner
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while not self.stop:
            try:
                msg = self.conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields[HeaderFields.member]
            signature = msg.header.fields.get(HeaderFields.signature, "")
            self.calls.append((member, signature, msg.body))
            if member == "GetCapabilities":
                self.conn.send(new_method_return(msg, "as", (self.capabilities,)))
            elif member == "Notify":
                replaces = msg.body[1]
                nid = replaces if replaces else self.next_id
                self.next_id += 1
                self.conn.send(new_method_return(msg, "u", (nid,)))

    def notes(self) -> list[tuple[str, tuple]]:
        return [(sig, body) for member, sig, body in self.calls if member == "Notify"]

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.conn.close()


def test_notify_speaks_the_spec_and_replaces_its_own_notification(bus_address):
    server = FakeServer(bus_address, ["body", "body-markup"])
    client = NotificationClient(bus_address)
    try:
        image = (2, 1, 8, True, 8, 4, bytes(range(8)))
        client.notify("Tom & Jerry <live>", "Band — Album\nFeels happy", image)
        assert client.wait_idle()
        client.notify("Second track", "Someone")
        assert client.wait_idle()
    finally:
        client.close()
        server.close()
    notes = server.notes()
    assert len(notes) == 2, server.calls
    sig, (app, replaces, icon, summary, body, actions, hints, timeout) = notes[0]
    assert sig == NOTIFY_SIGNATURE  # replaces_id a uint32 ('u'), as strict servers insist
    assert (app, replaces, icon, actions, timeout) == ("Moodtape", 0, "moodtape", [], -1)
    assert summary == "Tom & Jerry <live>"  # the summary is plain text by the spec
    assert body == "Band — Album\nFeels happy"
    assert hints["desktop-entry"] == ("s", "moodtape")
    assert hints["image-data"] == ("(iiibiiay)", image)
    assert notes[1][1][1] == 7  # the second replaces the first on screen
    assert client.last_id == 7 and client.sent == 2 and client.last_error == ""
    assert [c[0] for c in server.calls].count("GetCapabilities") == 1  # asked once


def test_body_markup_is_escaped_only_for_a_server_that_reads_markup(bus_address):
    for caps, expected in ((["body", "body-markup"], "Rock &amp; Roll &lt;3"), (["body"], "Rock & Roll <3")):
        server = FakeServer(bus_address, caps)
        client = NotificationClient(bus_address)
        try:
            client.notify("t", "Rock & Roll <3")
            assert client.wait_idle()
        finally:
            client.close()
            server.close()
        assert server.notes()[0][1][4] == expected
    assert escape_markup("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_without_a_server_or_a_bus_nothing_raises_and_the_reason_is_kept(bus_address):
    client = NotificationClient(bus_address)  # a bus, but no notification server on it
    try:
        client.notify("t", "b")
        assert client.wait_idle()
        assert client.sent == 0 and "ServiceUnknown" in client.last_error
        server = FakeServer(bus_address, ["body"])  # a server that starts later is used for the next track
        try:
            client.notify("t2", "b2")
            assert client.wait_idle()
        finally:
            server.close()
        assert client.sent == 1 and [n[1][3] for n in server.notes()] == ["t2"]
    finally:
        client.close()
    off = NotificationClient("")
    assert not off.available and "DBUS_SESSION_BUS_ADDRESS" in off.last_error
    off.notify("t", "b")  # a no-op, and no thread
    assert off._thread is None


def test_a_burst_sends_the_newest_only(bus_address):
    server = FakeServer(bus_address, ["body"])
    client = NotificationClient(bus_address)
    try:
        with client._cond:  # hold the worker while ten tracks go by (Next pressed quickly)
            for i in range(10):
                client.notify(f"track {i}", "")
            pending = client._pending
        assert client.wait_idle()
    finally:
        client.close()
        server.close()
    summaries = [n[1][3] for n in server.notes()]
    assert pending is not None and pending.summary == "track 9"
    assert summaries == ["track 9"]


def test_track_text():
    assert track_text({"path": "/m/a.ogg", "title": "Song", "artist": "Band", "album": "LP", "quadrant": "Q3",
                       "moods": {"sadness": 0.8, "peacefulness": 0.5, "joy": 0.1}}) == (
        "Song", "Band — LP\nFeels sad / tired (sadness, peacefulness)")
    assert track_text({"path": "/m/b.ogg"}) == ("b.ogg", "Unknown artist")


class RecordingClient:
    available = True

    def __init__(self) -> None:
        self.notes: list[tuple[str, str, tuple | None]] = []

    def notify(self, summary: str, body: str = "", image: tuple | None = None) -> None:
        self.notes.append((summary, body, image))

    def close(self) -> None:
        pass


def test_the_window_announces_each_track_that_starts_while_it_is_in_the_background(media_window, qtbot,
                                                                                     monkeypatch):
    from library.settings import Settings
    from ui.desktop import apply_settings, install_desktop
    from ui.notifications import TrackAnnouncer

    w = media_window
    install_desktop(w, tray=False, mpris=False, notifications=False)
    client = RecordingClient()
    w.announcer = TrackAnnouncer(w, client)
    active = [False]
    monkeypatch.setattr(w.announcer, "in_front", lambda: active[0])
    rows = [t for t in w.library.rows() if t.get("kind") != "video" and t.get("title")]
    first = next(t for t in rows if t["path"].endswith(".mp3"))  # the test library's MP3s carry a cover
    second = next(t for t in rows if not t["path"].endswith(".mp3"))

    w.engine.play_path(first["path"])
    qtbot.waitUntil(lambda: len(client.notes) == 1, timeout=3000)
    summary, body, image = client.notes[0]
    assert summary == first["title"] and (first.get("artist") or "Unknown artist") in body
    assert image is not None and image[0] > 0 and len(image[6]) == image[1] * image[2]  # the cover as RGBA

    w.engine.pause()
    qtbot.waitUntil(lambda: w.engine.state == "paused", timeout=3000)
    w.engine.play_pause()
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=3000)
    qtbot.wait(50)
    assert len(client.notes) == 1  # the same track playing on is no news

    active[0] = True  # the listener is looking at the window: no pop-up
    w.engine.play_path(second["path"])
    qtbot.wait(100)
    assert len(client.notes) == 1

    active[0] = False
    apply_settings(w, Settings(notify_track_change=False))
    w.engine.play_path(first["path"])
    qtbot.wait(100)
    assert len(client.notes) == 1

    apply_settings(w, Settings(notify_track_change=True))
    w.engine.restore(second["path"], 0)  # loaded paused (as at start-up): announced once it plays
    qtbot.wait(100)
    assert len(client.notes) == 1
    w.engine.play_pause()
    qtbot.waitUntil(lambda: len(client.notes) == 2, timeout=3000)
    assert client.notes[1][0] == second["title"]
    assert client.notes[1][2] is None  # no art of its own: no picture (the server shows the app's icon)


def test_the_track_restored_at_start_up_is_announced_once_it_plays(media_window, qtbot, monkeypatch):
    from ui.notifications import TrackAnnouncer

    w = media_window
    path = w.library.rows()[0]["path"]
    w.engine.restore(path, 0)  # as MainWindow does, before the desktop parts are installed
    client = RecordingClient()
    announcer = TrackAnnouncer(w, client)
    monkeypatch.setattr(announcer, "in_front", lambda: False)
    w.engine.play_pause()  # a media key while the window sits in the tray
    qtbot.waitUntil(lambda: len(client.notes) == 1, timeout=3000)


def test_a_track_on_repeat_is_announced_once_and_a_moodtape_window_in_front_stops_it(qtbot, tmp_path, media_dir,
                                                                                     monkeypatch):
    from library.scanner import scan_folder
    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow
    from ui.notifications import TrackAnnouncer

    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    w = MainWindow(store, PlayerEngine(NullBackend(length_ms=250)), auto_tag=False)
    qtbot.addWidget(w)
    client = RecordingClient()
    announcer = TrackAnnouncer(w, client)
    monkeypatch.setattr(announcer, "in_front", lambda: False)
    paths = [t["path"] for t in w.library.rows() if t.get("kind") == "audio"]
    w.engine.set_repeat_track(True)
    w.engine.play_path(paths[0])
    qtbot.wait(1200)  # the 250-ms track plays about four times
    assert len(client.notes) == 1
    w.engine.set_repeat_track(False)
    qtbot.waitUntil(lambda: w.engine.current != paths[0], timeout=3000)
    qtbot.waitUntil(lambda: len(client.notes) == 2, timeout=3000)  # the next one is news again
    w.engine.stop()

    from PySide6.QtWidgets import QApplication, QDialog

    dialog = QDialog()  # any Moodtape window in front (the session view, Settings): no pop-up over it
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    assert TrackAnnouncer.in_front()
    monkeypatch.undo()
    w.engine.play_path(paths[1])
    qtbot.wait(200)
    assert len(client.notes) == 2


def test_a_bus_that_stalls_after_authenticating_does_not_hold_the_worker(tmp_path):
    import socket

    path = tmp_path / "bus"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(5)
    held = []

    def serve() -> None:  # authenticates, then never answers Hello
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)
            buf = b""
            while b"BEGIN" not in buf:
                data = conn.recv(1024)
                if not data:
                    break
                buf += data
                if b"AUTH" in data:
                    conn.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")

    threading.Thread(target=serve, daemon=True).start()
    client = NotificationClient(f"unix:path={path}")
    try:
        client.notify("t")
        assert client.wait_idle(10.0)  # the Hello timed out instead of waiting for ever
        assert client.sent == 0 and "Timeout" in client.last_error
    finally:
        client.close()
        srv.close()
    assert not client._thread.is_alive()


def test_quitting_takes_the_last_notification_off_the_screen(bus_address):
    server = FakeServer(bus_address, ["body"])
    client = NotificationClient(bus_address)
    try:
        client.notify("t", "b")
        assert client.wait_idle()
        client.close()
        deadline = time.monotonic() + 5
        while "CloseNotification" not in [c[0] for c in server.calls] and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        server.close()
    assert ("CloseNotification", "u", (7,)) in server.calls


def test_the_session_bus_is_found_without_its_variable(tmp_path, monkeypatch):
    import socket

    from ui.notifications import session_bus_address

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert session_bus_address() == ""
    (tmp_path / "bus").write_text("not a socket")
    assert session_bus_address() == ""
    (tmp_path / "bus").unlink()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "bus"))
        assert session_bus_address() == f"unix:path={tmp_path / 'bus'}"
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/elsewhere")
    assert session_bus_address() == "unix:path=/run/elsewhere"


def test_the_setting_is_in_the_dialog_and_survives_damage(qtbot):
    from library.settings import Settings
    from ui.settings_dialog import SettingsDialog

    assert Settings(notify_track_change="no").validated().notify_track_change is True
    dlg = SettingsDialog(Settings(notify_track_change=False), [])
    qtbot.addWidget(dlg)
    assert dlg.result_settings().notify_track_change is False
    dlg.notify_track_change.setChecked(True)
    assert dlg.result_settings().notify_track_change is True

