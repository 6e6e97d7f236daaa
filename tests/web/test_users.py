"""Admins manage users, groups and memberships; the last admin cannot lock everyone out."""

from ..conftest import Browser, assert_error, snapshot


def test_an_admin_creates_a_user_who_can_then_log_in(app, login):
    ada = login("ada")
    response = ada.post("/api/users", {"username": "newton", "password": "apples-falling-down",
                                       "display_name": "Isaac", "memberships": [{"group": "ecal", "role": "member"}]})
    assert response.status_int == 201
    assert response.json["user"]["role"] == "member"
    assert "password" not in response.text and "scrypt" not in response.text
    assert Browser(app, "newton", password="apples-falling-down").user["display_name"] == "Isaac"


def test_a_taken_user_name_is_a_409_and_the_first_user_is_untouched(login):
    ada = login("ada")
    before = snapshot()
    assert_error(ada.post("/api/users", {"username": "vera", "password": "another-password"}), 409, "exists")
    assert snapshot() == before


def test_memberships_are_replaced_as_a_whole(login):
    ada = login("ada")
    user = ada.put("/api/users/olaf/memberships", {"memberships": [{"group": "shift", "role": "expert"}]}).json["user"]
    assert user["memberships"] == [{"group": "shift", "role": "expert"}]
    assert user["role"] == "expert"


def test_the_last_active_admin_cannot_be_demoted_or_disabled(login):
    ada = login("ada")
    before = snapshot()
    assert_error(ada.patch("/api/users/ada", {"is_admin": False}), 409, "last active admin")
    assert_error(ada.patch("/api/users/ada", {"disabled": True}), 409, "last active admin")
    assert snapshot() == before
    ada.patch("/api/users/erin", {"is_admin": True})
    assert ada.patch("/api/users/ada", {"is_admin": False}).json["user"]["is_admin"] is False


def test_an_admin_resets_a_password_and_the_old_one_stops_working(app, login, client):
    login("ada").patch("/api/users/vera", {"password": "brand-new-password"})
    old = client.post_json("/api/auth/login", {"username": "vera", "password": "correct-horse-battery"},
                           expect_errors=True)
    assert_error(old, 401)
    assert Browser(app, "vera", password="brand-new-password").user["username"] == "vera"


def test_groups_are_created_listed_and_described(login):
    ada = login("ada")
    assert ada.post("/api/groups", {"name": "sac", "description": "Small-angle calorimeter"}).status_int == 201
    ada.patch("/api/groups/sac", {"description": "SAC, 25 PbF2 crystals"})
    groups = {g["name"]: g for g in login("vera").get("/api/groups").json["groups"]}
    assert groups["sac"]["description"] == "SAC, 25 PbF2 crystals"
    assert {"username": "olaf", "role": "operator"} in groups["ecal"]["members"]
    assert_error(ada.post("/api/groups", {"name": "sac"}), 409)


def test_unknown_users_and_groups_are_404s(login):
    ada = login("ada")
    assert_error(ada.get("/api/users/ghost"), 404, "ghost")
    assert_error(ada.patch("/api/groups/ghosts", {"description": "x"}), 404, "ghosts")
