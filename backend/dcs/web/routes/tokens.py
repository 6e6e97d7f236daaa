"""API tokens: your own (any logged-in user), everyone's (admins)."""

from bottle import response

from ...auth.models import User
from ...auth.permissions import SCOPES
from ...auth.tokens import MAX_DAYS, create_token, get_token, list_tokens, revoke_token
from ...auth.users import get_user
from ...errors import forbidden
from .. import query
from ..fields import Body, Int, List, Str

NEW_TOKEN = Body(
    name=Str(min_len=1, max_len=100, strip=True),
    scopes=List(Str(choices=tuple(SCOPES)), max_items=len(SCOPES)),
    expires_in_days=Int(minimum=1, maximum=MAX_DAYS, required=False),
    user=Str(min_len=1, max_len=64, required=False, description="Admins only: whose token it is."),
)


def register(api):
    @api.route("/tokens", "GET", perm="tokens.own", tag="tokens", query=(("all", "1: everyone's tokens (admins)"),))
    def tokens(principal):
        """Your API tokens (admins: everyone's with ?all=1)."""
        everyone = query.flag("all")
        if everyone and not principal.can("users.manage"):
            raise forbidden("Only admins may list everyone's tokens.")
        owner = None if everyone else User.get_by_id(principal.user_id)
        return {"ok": True, "tokens": [t.to_dict() for t in list_tokens(owner)]}

    @api.route("/tokens", "POST", perm="tokens.own", body=NEW_TOKEN, tag="tokens")
    def new_token(principal, actor, body):
        """Create a token; its secret is in this answer only, never again."""
        if "user" in body and body["user"] != principal.username:
            if not principal.can("users.manage"):
                raise forbidden("Only admins may create tokens for other users.")
            owner = get_user(body["user"])
        else:
            owner = User.get_by_id(principal.user_id)
        token, secret = create_token(actor, owner, body["name"], body["scopes"], body.get("expires_in_days"),
                                     allowed_scopes=principal.token_scopes)
        response.status = 201
        return {"ok": True, "token": token.to_dict(), "secret": secret}

    @api.route("/tokens/<token_id:int>", "DELETE", perm="tokens.own", tag="tokens")
    def revoke(token_id, principal, actor):
        """Revoke a token (yours; admins: anyone's). It stays listed, marked revoked."""
        token = get_token(token_id)
        if token.user_id != principal.user_id and not principal.can("users.manage"):
            raise forbidden("This token belongs to someone else.")
        return {"ok": True, "token": revoke_token(actor, token).to_dict()}
