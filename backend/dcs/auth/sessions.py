"""Logging in and out, browser sessions, CSRF tokens and login throttling.

A session key is 256 random bits handed to the browser in an HttpOnly cookie; the database keeps only
its SHA-256. The CSRF token is an HMAC of the session's hash under the secret key, so it is tied to
one session and needs no storage. Failed logins are counted per account and per client address over
`login_lockout` seconds; past the limit the login is refused (429) even with the right password.
"""

import functools
import hashlib
import hmac
import secrets

from ..audit import Actor, record
from ..db import database
from ..errors import DcsError
from ..timeutil import NS, now_ns
from .models import LoginFailure, Session, User
from .passwords import hash_password, needs_rehash, verify_password
from .permissions import Principal
from .users import update_user

COOKIE = "dcs_session"
SEEN_EVERY_NS = 60 * NS  # refresh last_seen at most once a minute
IP_FACTOR = 4


@functools.lru_cache(maxsize=4)
def _dummy_hash(cost):
    """Verified against when the user does not exist, so a wrong name takes as long as a wrong password."""
    return hash_password("not a real password", cost)


def key_hash(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def csrf_token(secret_key, session_hash):
    return hmac.new(secret_key.encode("utf-8"), session_hash.encode("ascii"), hashlib.sha256).hexdigest()


def check_csrf(secret_key, session_hash, offered):
    return bool(offered) and hmac.compare_digest(csrf_token(secret_key, session_hash), offered)


def _throttled(settings, username, ip, now):
    since = now - settings.login_lockout * NS
    by_user = LoginFailure.select().where(LoginFailure.username == username, LoginFailure.at_ns > since)
    by_ip = LoginFailure.select().where(LoginFailure.ip == ip, LoginFailure.at_ns > since)
    for query, limit in ((by_user, settings.login_max_failures), (by_ip, settings.login_max_failures * IP_FACTOR)):
        if query.count() >= limit:
            oldest = query.order_by(LoginFailure.at_ns.desc()).offset(limit - 1).limit(1).get()
            return max(1, -(-(oldest.at_ns - since) // NS))
    return 0


def login(settings, username, password, ip="", user_agent=""):
    """Check the password; return (user, session key, session hash) or raise 401/403/429."""
    now = now_ns()
    username = username.strip().lower()
    retry = _throttled(settings, username, ip, now)
    if retry:
        raise DcsError(429, f"Too many failed logins; try again in {retry} seconds.",
                       retry_after=retry)
    user = User.by_name(username)
    stored = user.password_hash if user else _dummy_hash(settings.password_cost)
    ok = verify_password(password, stored) and user is not None
    actor = Actor(f"user:{username}", user.id if user else None, ip)
    if not ok:
        with database.atomic():
            LoginFailure.create(username=username, ip=ip, at_ns=now)
            record(actor, "auth.login_failed", "user", username, "wrong user name or password")
        raise DcsError(401, "Wrong user name or password.")
    if user.disabled:
        raise DcsError(403, "This account is disabled; ask an admin to enable it.")
    key = secrets.token_urlsafe(32)
    hashed = key_hash(key)
    with database.atomic():
        if needs_rehash(user.password_hash, settings.password_cost):
            user.password_hash = hash_password(password, settings.password_cost)
        user.last_login_ns = now
        user.save()
        LoginFailure.delete().where(LoginFailure.username == username).execute()
        Session.create(key_hash=hashed, user=user, created_ns=now, last_seen_ns=now, ip=ip,
                       user_agent=user_agent[:300])
        record(actor, "auth.login", "user", username, "logged in")
    return user, key, hashed


def principal_for_user(user, **extra):
    return Principal(user_id=user.id, username=user.username, is_admin=user.is_admin, role=user.highest_role(),
                     **extra)


def session_principal(settings, key):
    """The principal of a valid session cookie, with the session's hash, or (None, None)."""
    if not key or len(key) > 100:
        return None, None
    hashed = key_hash(key)
    session = Session.select(Session, User).join(User).where(Session.key_hash == hashed).first()
    now = now_ns()
    if session is None or session.user.disabled:
        return None, None
    if now - session.last_seen_ns > settings.session_idle * NS:
        session.delete_instance()
        return None, None
    if now - session.last_seen_ns > SEEN_EVERY_NS:
        Session.update(last_seen_ns=now).where(Session.id == session.id).execute()
    return principal_for_user(session.user, session_id=session.id), hashed


def logout(principal, ip=""):
    with database.atomic():
        Session.delete().where(Session.id == principal.session_id).execute()
        record(Actor.of(principal, ip), "auth.logout", "user", principal.username, "logged out")


def change_own_password(settings, principal, current, new, ip=""):
    user = User.get_by_id(principal.user_id)
    if not verify_password(current, user.password_hash):
        raise DcsError(403, "The current password is wrong.",
                       errors=[{"field": "current_password", "error": "This is not your current password."}])
    return update_user(Actor.of(principal, ip), user.username, cost=settings.password_cost,
                       keep_session=principal.session_id, password=new)
