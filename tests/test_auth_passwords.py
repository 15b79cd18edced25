"""Passwords: argon2id, at least 12 characters (the message names the field and the rule, never the password),
rehashed at sign-in when the hasher's parameters change."""

import pytest
from argon2 import PasswordHasher

from beasiswa.auth import Auth
from beasiswa.auth.passwords import HASHER, check_policy, hash_password, matches, needs_rehash
from beasiswa.model import Refusal
from auth_support import CHEAP, PASSWORD, at, database, signing, user_row  # noqa: F401


def test_a_password_of_12_characters_is_accepted_and_one_of_11_is_refused_naming_the_field_and_the_rule():
    check_policy("a" * 12)
    with pytest.raises(Refusal) as caught:
        check_policy("rahasia-ku1")  # 11
    assert caught.value.code == "PASSWORD_POLICY"
    assert caught.value.message == "kata sandi: minimal 12 karakter (diberikan 11 karakter)"
    assert "rahasia" not in caught.value.message


def test_the_hash_is_argon2id_salted_and_checks_only_its_own_password():
    first, second = hash_password(PASSWORD, CHEAP), hash_password(PASSWORD, CHEAP)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert matches(first, PASSWORD, CHEAP) and not matches(first, PASSWORD + "x", CHEAP)


def test_nothing_stored_matches_no_password_and_the_default_hasher_is_argon2id():
    assert not matches(None, "", CHEAP) and not matches(None, PASSWORD, CHEAP)
    assert HASHER.type.name == "ID"


def test_a_hash_made_with_other_parameters_needs_rehashing():
    assert needs_rehash(hash_password(PASSWORD, CHEAP), PasswordHasher(time_cost=2, memory_cost=8, parallelism=1))
    assert not needs_rehash(hash_password(PASSWORD, CHEAP), CHEAP)


def test_a_sign_in_rehashes_a_password_hashed_with_older_parameters_and_it_still_signs_in(signing):
    w, _ = signing
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    before = user_row(w, "ani")["password_hash"]
    Auth(w.engine, hasher=stronger).sign_in("ani", PASSWORD, at(minutes=1))
    after = user_row(w, "ani")["password_hash"]
    assert after != before and not needs_rehash(after, stronger) and "t=2" in after
    Auth(w.engine, hasher=stronger).sign_in("ani", PASSWORD, at(minutes=2))
    assert user_row(w, "ani")["password_hash"] == after  # rehashed once


def test_an_admin_sets_a_one_time_password_of_12_characters_but_not_one_of_11(signing):
    _, auth = signing
    with pytest.raises(Refusal) as caught:
        auth.set_one_time_password("admin", "ani", "x" * 11, at(minutes=1))
    assert caught.value.message == "kata sandi sementara: minimal 12 karakter (diberikan 11 karakter)"
    auth.set_one_time_password("admin", "ani", "x" * 12, at(minutes=2))
    assert auth.sign_in("ani", "x" * 12, at(minutes=3)).session.must_change_password
