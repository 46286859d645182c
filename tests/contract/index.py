"""The Index contract: every backend inherits these tests and supplies an `index` fixture."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from wamedia.models import MediaRef, MediaType, Status

T0 = datetime(2024, 6, 10, 12, 0, tzinfo=timezone.utc)


def ref(message_id: str = "M1", **kw) -> MediaRef:
    fields = dict(message_id=message_id, media_type=MediaType.IMAGE, mimetype="image/jpeg",
                  media_key="a2V5", direct_path="/v/1", chat_id="chat-1", sender_id="s-1",
                  sender_name="Ana", timestamp=T0, file_length=100)
    fields.update(kw)
    return MediaRef(**fields)


def put(index, r: MediaRef):
    return index.upsert(r, client_id="1", instance_id="X")


class IndexContract:
    def test_new_media_is_pending_and_fresh(self, index):
        record, fresh = put(index, ref())
        assert fresh and record.status == Status.PENDING == "pending"
        assert record.media_type == "image" and record.chat_id == "chat-1"
        assert record.message_timestamp == T0
        assert record.cliente_id == "1" and record.instance_id == "X"
        assert index.get("M1") == record
        assert index.get("nope") is None

    def test_duplicate_is_not_fresh(self, index):
        put(index, ref())
        record, fresh = put(index, ref())
        assert not fresh and record.status == Status.PENDING
        assert index.stats().total == 1

    def test_success_is_never_downgraded(self, index):
        put(index, ref())
        index.claim("M1", lease_seconds=60)
        index.update("M1", Status.SUCCESS, file_path="k", file_size=100)
        record, fresh = put(index, ref(media_key="bmV3"))
        assert not fresh and record.status == Status.SUCCESS and record.media_key == "a2V5"

    def test_failed_media_with_a_new_key_is_revived(self, index):
        put(index, ref())
        index.claim("M1", lease_seconds=60)
        index.update("M1", Status.FAILED, last_error="boom", next_attempt_at=None)
        same, fresh = put(index, ref())
        assert not fresh and same.status == Status.FAILED
        revived, fresh = put(index, ref(direct_path="/v/2"))
        assert fresh and revived.status == Status.PENDING and revived.direct_path == "/v/2"

    def test_claim_is_exclusive(self, index):
        put(index, ref())
        claimed = index.claim("M1", lease_seconds=60)
        assert claimed.status == Status.DOWNLOADING and claimed.attempts == 1
        assert claimed.lease_until > datetime.now(timezone.utc)
        assert index.claim("M1", lease_seconds=60) is None
        assert index.claim("unknown", lease_seconds=60) is None

    def test_expired_lease_is_due_again(self, index):
        put(index, ref())
        index.claim("M1", lease_seconds=0.05)
        assert index.due() == []
        time.sleep(0.1)
        assert index.due() == ["M1"]
        assert index.claim("M1", lease_seconds=60).attempts == 2

    def test_renew_extends_only_our_lease(self, index):
        put(index, ref())
        assert index.renew("M1", lease_seconds=60) is False  # not downloading
        index.claim("M1", lease_seconds=0.05)
        assert index.renew("M1", lease_seconds=60) is True
        time.sleep(0.1)
        assert index.due() == []

    def test_failed_is_due_when_its_time_comes(self, index):
        put(index, ref())
        index.claim("M1", lease_seconds=60)
        later = datetime.now(timezone.utc) + timedelta(hours=1)
        index.update("M1", Status.FAILED, last_error="HTTP 500", next_attempt_at=later)
        assert index.due() == [] and index.claim("M1", lease_seconds=60) is None
        index.update("M1", Status.FAILED, next_attempt_at=datetime.now(timezone.utc))
        assert index.due() == ["M1"]

    def test_permanent_failures_need_force(self, index):
        put(index, ref("A"))
        put(index, ref("B"))
        for mid, status in (("A", Status.FAILED), ("B", Status.EXPIRED)):
            index.claim(mid, lease_seconds=60)
            index.update(mid, status, last_error="gone", next_attempt_at=None)
        assert index.due() == []
        assert index.due(force=True) == ["A", "B"]
        assert index.claim("A", lease_seconds=60) is None
        assert index.claim("A", lease_seconds=60, force=True).status == Status.DOWNLOADING

    def test_every_transition(self, index):
        put(index, ref())
        assert index.claim("M1", lease_seconds=60).status == Status.DOWNLOADING
        done = index.update("M1", Status.SUCCESS, file_path="k", file_size=7, sha256="ab",
                            download_timestamp=T0, delivered_by="wapi")
        assert (done.status, done.file_size, done.lease_until) == (Status.SUCCESS, 7, None)
        assert done.download_timestamp == T0 and done.delivered_by == "wapi"
        assert index.update("M1", Status.PURGED, expect=[Status.SUCCESS]).status == "purged"
        assert index.update("M1", Status.PENDING, expect=[Status.SUCCESS]) is None
        assert index.get("M1").status == Status.PURGED

    def test_unknown_columns_are_refused(self, index):
        put(index, ref())
        with pytest.raises(ValueError, match="unknown index columns"):
            index.update("M1", Status.FAILED, colour="blue")

    def test_search_filters(self, index):
        put(index, ref("A", media_type=MediaType.IMAGE, chat_id="c1", sender_id="s1",
                       caption="Invoice 50% off", timestamp=T0))
        put(index, ref("B", media_type=MediaType.VIDEO, chat_id="c1", sender_id="s2",
                       timestamp=T0 + timedelta(hours=1)))
        put(index, ref("C", media_type=MediaType.DOCUMENT, chat_id="c2", sender_id="s1",
                       file_name="report_2024.pdf", timestamp=T0 + timedelta(hours=2)))
        ids = lambda rows: [r.message_id for r in rows]  # noqa: E731
        assert ids(index.search()) == ["C", "B", "A"]  # newest first
        assert ids(index.search(media_type="video")) == ["B"]
        assert ids(index.search(media_type=["image", "document"])) == ["C", "A"]
        assert ids(index.search(chat_id="c1")) == ["B", "A"]
        assert ids(index.search(sender_id="s1")) == ["C", "A"]
        assert ids(index.search(since=T0 + timedelta(minutes=30))) == ["C", "B"]
        assert ids(index.search(until=T0 + timedelta(minutes=30))) == ["A"]
        assert ids(index.search(text="invoice")) == ["A"]
        assert ids(index.search(text="50%")) == ["A"]
        assert ids(index.search(text="t_2")) == ["C"]  # _ is literal, not a wildcard
        assert ids(index.search(text="%")) == ["A"]
        assert ids(index.search(status="pending", limit=1, offset=1)) == ["B"]
        assert index.search(status="success") == []

    def test_stats_follow_every_change(self, index):
        for i, kind in enumerate(["image", "image", "video", "audio"]):
            put(index, ref(f"M{i}", media_type=MediaType(kind)))
        index.claim("M0", lease_seconds=60)
        index.update("M0", Status.SUCCESS, file_size=1000)
        index.claim("M1", lease_seconds=60)
        index.update("M1", Status.FAILED, last_error="x")
        index.claim("M2", lease_seconds=60)
        s = index.stats()
        assert (s.total, s.downloaded, s.pending, s.failed, s.bytes) == (4, 1, 2, 1, 1000)
        assert s.by_type == {"image": 2, "video": 1, "audio": 1}
        assert s.by_status == {"success": 1, "failed": 1, "downloading": 1, "pending": 1}
        index.update("M0", Status.PURGED)
        assert index.stats().bytes == 0 and index.stats().purged == 1

    def test_downloaded_before(self, index):
        put(index, ref("old"))
        put(index, ref("new"))
        for mid, when in (("old", T0), ("new", T0 + timedelta(days=40))):
            index.claim(mid, lease_seconds=60)
            index.update(mid, Status.SUCCESS, file_size=1, download_timestamp=when)
        rows = index.downloaded_before(T0 + timedelta(days=1))
        assert [r.message_id for r in rows] == ["old"]
