"""Pseudonyms: keyed hashes per purpose and server, and the versioned keyring."""

import pytest

from core.pseudonym import Keyring, KeyringError, member_key


def test_hash_depends_on_purpose_server_and_key():
    base = member_key(b"k", 1, 42, "rsvp")
    assert len(base) == 64 and int(base, 16) >= 0
    assert member_key(b"k", 1, 42, "report") != base
    assert member_key(b"k", 2, 42, "rsvp") != base
    assert member_key(b"other", 1, 42, "rsvp") != base
    assert "42" not in base


def test_a_bare_secret_is_version_1_and_matches_the_old_hashes():
    ring = Keyring.parse(b"old-secret")
    assert ring.current == 1 and ring.versions == (1,)
    assert ring.key(1, 42, "rsvp") == member_key(b"old-secret", 1, 42, "rsvp")


def test_rotation_signs_with_the_current_key_and_finds_the_older_ones():
    ring = Keyring.parse("v3:newest, v1:old-secret v2:middle")
    assert ring.current == 3 and ring.versions == (3, 2, 1)
    assert ring.secret == b"newest"
    keys = ring.candidates(1, 42, "rsvp")
    assert keys[0] == ring.key(1, 42, "rsvp") == member_key(b"newest", 1, 42, "rsvp")
    assert member_key(b"old-secret", 1, 42, "rsvp") in keys
    assert len(set(keys)) == 3


@pytest.mark.parametrize("text", ["", "   ", "v1:a,v1:b", "v2:a,bare"])
def test_malformed_keyrings_are_refused(text):
    with pytest.raises(KeyringError):
        Keyring.parse(text)


def test_the_keys_never_show_in_a_repr():
    assert "s3cret" not in repr(Keyring.parse("v1:s3cret"))
