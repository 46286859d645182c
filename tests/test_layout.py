from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wamedia.errors import ConfigError
from wamedia.layout import media_key, safe_id, tenant_prefix


@pytest.mark.parametrize("value", [1, "1", "3B6XIW", "a_b-c.d", "x" * 100])
def test_plain_ids_are_kept(value):
    assert safe_id(value) == str(value)


@pytest.mark.parametrize("value", ["..", ".", "../x", "a/b", "a\\b", "x" * 101, "é", "a b",
                                   "\x00", "false_5511@c.us_3EB0"])
def test_other_ids_get_a_sanitised_hashed_name(value):
    out = safe_id(value)
    assert out != value and "/" not in out and "\\" not in out and not out.startswith(".")
    assert len(out.rsplit("-", 1)[1]) == 12


def test_distinct_ids_stay_distinct():
    assert safe_id("a/b") != safe_id("a_b") != safe_id("a\\b")


@pytest.mark.parametrize("value", ["", None])
def test_empty_id_is_a_config_error(value):
    with pytest.raises(ConfigError):
        safe_id(value)


def test_one_and_string_one_are_one_tenant():
    assert tenant_prefix(1, "X") == tenant_prefix("1", "X") == "cliente_1/instance_X/"


def test_extension_must_be_plain():
    with pytest.raises(ConfigError):
        media_key(1, "X", "image", "M", "./../x")


@given(client=st.text(max_size=30), instance=st.text(max_size=30), message=st.text(max_size=60))
def test_no_id_leaves_the_tenant_folder(client, instance, message):
    try:
        key = media_key(client, instance, "document", message, ".pdf")
    except ConfigError:
        assert "" in (client, instance, message)
        return
    parts = key.split("/")
    assert len(parts) == 4
    assert parts[0].startswith("cliente_") and parts[1].startswith("instance_")
    assert parts[2] == "documentos"
    assert all(p not in ("", ".", "..") and "\\" not in p and "\x00" not in p for p in parts)
