from player.queue import PlayQueue, ShuffleFill


def test_pinned_part_before_automatic_part():
    q = PlayQueue()
    q.set_auto(["x", "y"])
    q.add(["a", "b"])
    assert q.paths() == ["a", "b", "x", "y"]
    q.add(["c"], next_up=True)
    assert q.paths() == ["c", "a", "b", "x", "y"]
    q.set_auto(["z"])  # re-planning never touches what the user queued
    assert q.paths() == ["c", "a", "b", "z"]
    assert q.auto_count() == 1


def test_move_remove_clear_and_history():
    q = PlayQueue()
    q.add(["a", "b", "c"])
    q.set_auto(["x", "y"])
    q.move([3], 0)  # drag a planned track to the top: it becomes the user's
    assert q.paths() == ["x", "a", "b", "c", "y"]
    assert q.items[0].pinned and not q.items[-1].pinned
    q.move([0, 1], 4)
    assert q.paths() == ["b", "c", "x", "a", "y"]
    q.remove([1])
    assert q.paths() == ["b", "x", "a", "y"]
    assert q.take_next() == "b" and q.take_next() == "x"
    assert q.back() == "b" and q.paths()[0] == "x"
    d = q.to_dict()
    again = PlayQueue.from_dict(d)
    assert again.paths() == q.paths() and again.current == "b"
    q.clear()
    assert len(q) == 0


def test_shuffle_fill_excludes_and_varies_artists():
    tracks = [{"path": f"t{i}", "artist": "A" if i % 2 else "B"} for i in range(20)]
    fill = ShuffleFill(seed=3)
    out = fill.fill(tracks, 8, exclude={"t0", "t1"})
    assert len(out) == 8 and "t0" not in out and "t1" not in out
    artists = [tracks[int(p[1:])]["artist"] for p in out]
    assert all(a != b for a, b in zip(artists, artists[1:]))


def test_insert_pins_the_dropped_tracks_and_what_comes_before() -> None:
    q = PlayQueue()
    q.add(["/a"])
    q.set_auto(["/x", "/y", "/z"])
    q.insert(["/b", "/c"], 3)  # dropped between /y and /z
    assert q.paths() == ["/a", "/x", "/y", "/b", "/c", "/z"]
    assert q.pinned_paths() == ["/a", "/x", "/y", "/b", "/c"], "the pinned part stays one block at the front"
    q.insert(["/d"], 99)
    assert q.paths()[-1] == "/d" and q.pinned_paths()[-1] == "/d"
    q.insert(["/e"], -5)
    assert q.paths()[0] == "/e"
