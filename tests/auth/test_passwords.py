"""Password hashes: scrypt with the cost inside, verified in constant time, upgraded when the cost rises."""

from dcs.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from dcs.config import Settings


def test_a_hash_verifies_its_password_and_nothing_else():
    stored = hash_password("tr0ub4dor&3-long", cost=10)
    assert verify_password("tr0ub4dor&3-long", stored)
    assert not verify_password("tr0ub4dor&3-lonG", stored)
    assert "tr0ub4dor" not in stored


def test_two_hashes_of_one_password_differ_by_their_salt():
    assert hash_password("same-password-here", 10) != hash_password("same-password-here", 10)


def test_the_default_cost_is_strong_and_old_hashes_are_flagged_for_an_upgrade():
    assert Settings().password_cost == 15
    stored = hash_password("some-password", 15)
    assert stored.startswith("scrypt$15$8$1$")
    assert needs_rehash(hash_password("some-password", 10), 15)
    assert not needs_rehash(stored, 15)


def test_damaged_hashes_never_verify():
    for stored in ("", "plain", "scrypt$15$8$1$!!!$!!!", "bcrypt$x$y$z$a$b", "scrypt$99$8$1$AAAA$AAAA"):
        assert not verify_password("anything-at-all", stored)


def test_weak_new_passwords_are_refused_with_a_reason():
    assert "at least 10" in password_problem("short")
    assert "at most" in password_problem("x" * 2000)
    assert password_problem("long enough password") is None
