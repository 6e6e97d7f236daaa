"""Logging in and out, who am I, changing one's own password."""

from bottle import request, response

from ...auth.models import User
from ...auth.passwords import MAX_LENGTH
from ...auth.sessions import COOKIE, change_own_password, csrf_token, login, logout, principal_for_user
from ..fields import Body, Str
from ..plugins import client_ip

LOGIN = Body(username=Str(min_len=1, max_len=200, strip=True), password=Str(min_len=1, max_len=MAX_LENGTH))
PASSWORD = Body(current_password=Str(min_len=1, max_len=MAX_LENGTH), new_password=Str(min_len=1, max_len=MAX_LENGTH))


def _me(settings, user, principal_permissions, session_hash):
    out = {"ok": True, "user": user.to_dict(), "permissions": principal_permissions}
    if session_hash:
        out["csrf_token"] = csrf_token(settings.secret_key, session_hash)
    return out


def register(api):
    @api.route("/auth/login", "POST", perm="public", body=LOGIN, tag="auth")
    def do_login(settings, body):
        """Log in with a user name and password; sets the session cookie and returns the CSRF token."""
        user, key, hashed = login(settings, body["username"], body["password"], client_ip(),
                                  request.get_header("User-Agent", ""))
        response.set_cookie(COOKIE, key, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies,
                            max_age=settings.session_idle)
        return _me(settings, user, principal_for_user(user).permissions(), hashed)

    @api.route("/auth/me", "GET", perm="authenticated", tag="auth")
    def me(settings, principal):
        """The logged-in user, their permissions and (for a browser session) the CSRF token for writes."""
        return _me(settings, User.get_by_id(principal.user_id), principal.permissions(),
                   request.environ.get("dcs.session_hash"))

    @api.route("/auth/logout", "POST", perm="authenticated", tag="auth")
    def do_logout(principal):
        """End this browser session."""
        if principal.session_id is not None:
            logout(principal, client_ip())
        response.delete_cookie(COOKIE, path="/")
        return {"ok": True}

    @api.route("/auth/password", "POST", perm="authenticated", body=PASSWORD, tag="auth")
    def password(settings, principal, body):
        """Change your own password (ends your other sessions)."""
        change_own_password(settings, principal, body["current_password"], body["new_password"], client_ip())
        return {"ok": True}
