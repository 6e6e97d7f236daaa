"""API tokens for scripts and device controllers: scoped, revocable, stored only as a SHA-256.

A token reads `dcs_<prefix>_<secret>`; the prefix is kept in clear so people can tell their tokens
apart in lists and logs, the whole string is shown once at creation and never again.
"""

import secrets

from ..audit import record
from ..db import database
from ..errors import DcsError, bad_request, forbidden, not_found
from ..timeutil import NS, now_ns
from .models import ApiToken, User
from .permissions import SCOPES
from ..ttlcache import MISSING, TtlCache, forget_all, generation
from .sessions import SEEN_EVERY_NS, key_hash, principal_for_user

MAX_DAYS = 3650
_PRINCIPALS = TtlCache(2)


def create_token(actor, owner, name, scopes, expires_in_days=None, allowed_scopes=None):
    """A new token for owner (a User). allowed_scopes limits what a token-authenticated creator may grant."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        listed = f"; unknown: {', '.join(unknown)}" if unknown else ""
        raise bad_request(f"Scopes must be some of {', '.join(SCOPES)}{listed}.")
    if "admin" in scopes and not owner.is_admin:
        raise bad_request(f"Only an admin's token may have the admin scope, and {owner.username!r} is no admin.")
    if allowed_scopes is not None and not set(scopes) <= set(allowed_scopes):
        raise forbidden("A token can only create tokens with scopes it has itself.")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise bad_request("A token needs a name of 1 to 100 characters.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        raise bad_request(f"expires_in_days must be from 1 to {MAX_DAYS}.")
    prefix = secrets.token_hex(4)
    secret = f"dcs_{prefix}_{secrets.token_urlsafe(32)}"
    now = now_ns()
    with database.atomic():
        token = ApiToken.create(
            name=name.strip(), user=owner, key_hash=key_hash(secret), prefix=prefix, scopes=" ".join(scopes),
            created_ns=now, expires_ns=now + expires_in_days * 86400 * NS if expires_in_days else None)
        record(actor, "token.create", "token", token.id, f"created token {token.name!r} for {owner.username}",
               after={"name": token.name, "user": owner.username, "scopes": scopes, "prefix": prefix})
    return token, secret


def get_token(token_id):
    in_range = isinstance(token_id, int) and 0 < token_id < 2**63
    token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.id == token_id).first() if in_range else None
    if token is None:
        raise not_found(f"There is no token with id {token_id}.")
    return token


def revoke_token(actor, token):
    if token.revoked_ns is not None:
        return token
    with database.atomic():
        token.revoked_ns = now_ns()
        token.save()
        record(actor, "token.revoke", "token", token.id, f"revoked token {token.name!r} of {token.user.username}")
    forget_all()
    return token


def token_principal(secret):
    """The principal of a bearer token, or a 401 saying why the token is not accepted. A valid token's principal
    is remembered for two seconds: device controllers send several heartbeats a second."""
    if not secret.startswith("dcs_") or len(secret) > 200:
        raise DcsError(401, "The bearer token is not a DCS API token.")
    hashed = key_hash(secret)
    now = now_ns()
    known = _PRINCIPALS.get(hashed)
    if known is not MISSING and (known[1] is None or known[1] > now):
        return known[0]
    since = generation()
    token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.key_hash == hashed).first()
    if token is None:
        raise DcsError(401, "The API token is not known.")
    if token.revoked_ns is not None:
        raise DcsError(401, "The API token was revoked.")
    if token.expires_ns is not None and token.expires_ns <= now:
        raise DcsError(401, "The API token has expired.")
    if token.user.disabled:
        raise DcsError(401, "The API token's user is disabled.")
    if token.last_used_ns is None or now - token.last_used_ns > SEEN_EVERY_NS:
        ApiToken.update(last_used_ns=now).where(ApiToken.id == token.id).execute()
    principal = principal_for_user(token.user, token_id=token.id, token_name=token.name,
                                   token_scopes=tuple(token.scope_list))
    return _PRINCIPALS.put(hashed, (principal, token.expires_ns), since)[0]


def list_tokens(owner=None):
    query = ApiToken.select(ApiToken, User).join(User).order_by(ApiToken.id.desc())
    if owner is not None:
        query = query.where(ApiToken.user == owner)
    return list(query)
