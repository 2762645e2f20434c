"""Verifies `authorization: Bearer <JWT>` as the other services do (adapters/src/auth.ts) and as
Envoy's jwt_authn does: a key of the JWKS, the issuer, the audience, the expiry; then a subject and a
known role (a store owner also names their store)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jwt

from marketing.application.ports import Actor
from marketing.domain.errors import MarketingError

ROLES = ("customer", "store_owner", "admin", "service")
# When authentication is switched off (AUTH_MODE=off): every call acts as an administrator.
UNAUTHENTICATED_ADMIN = Actor(subject="anonymous", role="admin")
_BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)


def unauthenticated(message: str) -> MarketingError:
    return MarketingError("AUTH.UNAUTHENTICATED", "unauthenticated", message)


class TokenVerifier:
    def __init__(self, jwks_file: str, issuer: str, audience: str) -> None:
        self._keys = jwt.PyJWKSet.from_dict(json.loads(Path(jwks_file).read_text()))
        self._issuer = issuer
        self._audience = audience

    def verify(self, authorization: str | None) -> Actor:
        if not authorization:
            raise unauthenticated("a bearer token is required (authorization: Bearer <token>)")
        match = _BEARER.match(authorization)
        if not match:
            raise unauthenticated('the authorization header must be "Bearer <token>"')
        token = match.group(1)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next((k for k in self._keys.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise unauthenticated("the token is not signed by a trusted key")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise unauthenticated("the token has expired") from error
        except jwt.InvalidIssuerError as error:
            raise unauthenticated("the token's iss claim is not accepted here") from error
        except jwt.InvalidAudienceError as error:
            raise unauthenticated("the token's aud claim is not accepted here") from error
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError) as error:
            raise unauthenticated("the token is not signed by a trusted key") from error
        except jwt.MissingRequiredClaimError as error:
            raise unauthenticated(f"the token has no {error.claim} claim") from error
        except jwt.PyJWTError as error:
            raise unauthenticated("the token is not a valid JWT") from error
        subject = claims.get("sub")
        role = claims.get("role")
        if not isinstance(subject, str) or subject == "":
            raise unauthenticated("the token has no subject")
        if role not in ROLES:
            raise unauthenticated("the token has no known role")
        store_id = claims.get("store_id")
        if role == "store_owner":
            if not isinstance(store_id, str) or store_id == "":
                raise unauthenticated("a store owner token must name its store (store_id)")
            return Actor(subject=subject, role=role, store_id=store_id)
        return Actor(subject=subject, role=role)
