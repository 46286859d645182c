from __future__ import annotations

import wamedia


def test_all_is_sorted_and_importable():
    assert wamedia.__all__ == sorted(wamedia.__all__)
    assert len(set(wamedia.__all__)) == len(wamedia.__all__)
    for name in wamedia.__all__:
        assert getattr(wamedia, name) is not None


def test_errors_share_one_root_and_builtin_meanings():
    e = wamedia.errors
    for name in e.__all__:
        assert issubclass(getattr(e, name), e.WamediaError)
    assert issubclass(e.MediaNotFound, KeyError)
    assert issubclass(e.PayloadError, ValueError)
    assert issubclass(e.StorageError, OSError)
    assert issubclass(e.ExpiredMedia, e.DownloadError)
    assert issubclass(e.IntegrityError, e.ValidationError)
    assert str(e.MediaNotFound("no such media")) == "no such media"
