"""Verifies `authorization: Bearer <JWT>` as the other services do (adapters/src/auth.ts) and as
Envoy's jwt_authn does: a key of the JWKS with a pinned algorithm, the issuer, the audience, an
expiry at most AUTH_MAX_TOKEN_LIFETIME_S after an issue time that is not in the future; then a
subject and a known role (a store owner also names their store)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import jwt

from marketing.application.ports import Actor
from marketing.domain.errors import MarketingError

ROLES = ("customer", "store_owner", "admin", "service")
# When authentication is switched off (AUTH_MODE=off): every call acts as an administrator.
UNAUTHENTICATED_ADMIN = Actor(subject="anonymous", role="admin")
_BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)

# The issuer of the development tokens (`npm run token`, envoy/dev-keys).
DEVELOPMENT_ISSUER = "fooddelivery-dev"
# RFC 7638 thumbprints of the development signing keys, whose private halves are committed in
# envoy/dev-keys: a key set holding one of them is for development only.
_DEVELOPMENT_KEY_THUMBPRINTS = frozenset({"maoM7CK9Oax6sq5iqOM57Aa1ugP0gY5kfMx6-RiDN4k"})


def load_jwks(file: str) -> dict[str, Any]:
    jwks = json.loads(Path(file).read_text())
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError("no keys array")
    return jwks


def contains_development_key(jwks: dict[str, Any]) -> bool:
    return any(key.get("kty") == "EC" and _ec_thumbprint(key) in _DEVELOPMENT_KEY_THUMBPRINTS for key in jwks["keys"])


def _ec_thumbprint(key: dict[str, Any]) -> str:
    canonical = json.dumps({k: key.get(k) for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def unauthenticated(message: str) -> MarketingError:
    return MarketingError("AUTH.UNAUTHENTICATED", "unauthenticated", message)


class TokenVerifier:
    def __init__(
        self,
        jwks_file: str,
        issuer: str,
        audience: str,
        algorithms: tuple[str, ...] = ("ES256",),
        max_lifetime_s: int = 86400,
        clock_skew_s: int = 60,
    ) -> None:
        self._keys = jwt.PyJWKSet.from_dict(load_jwks(jwks_file))
        self._issuer = issuer
        self._audience = audience
        self._algorithms = algorithms
        self._max_lifetime_s = max_lifetime_s
        self._clock_skew_s = clock_skew_s

    def verify(self, authorization: str | None) -> Actor:
        if not authorization:
            raise unauthenticated("a bearer token is required (authorization: Bearer <token>)")
        match = _BEARER.match(authorization)
        if not match:
            raise unauthenticated('the authorization header must be "Bearer <token>"')
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self._algorithms:
                raise unauthenticated("the token is signed with an algorithm not accepted here")
            kid = header.get("kid")
            key = next((k for k in self._keys.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise unauthenticated("the token is not signed by a trusted key")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(self._algorithms),
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._clock_skew_s,
                options={"require": ["exp", "iat", "sub"]},
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
        except jwt.ImmatureSignatureError as error:
            raise unauthenticated("the token is issued in the future") from error
        except jwt.PyJWTError as error:
            raise unauthenticated("the token is not a valid JWT") from error
        issued, expires = claims["iat"], claims["exp"]
        if issued > time.time() + self._clock_skew_s:
            raise unauthenticated("the token is issued in the future")
        if expires - issued > self._max_lifetime_s:
            raise unauthenticated(f"the token is valid for longer than {self._max_lifetime_s} s")
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
