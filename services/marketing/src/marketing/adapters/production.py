"""What development allows and production must not (DEPLOY_ENV=production), as the other services
check it (adapters/src/service-runtime.ts): the committed development key and issuer,
unauthenticated calls, an anonymous NATS connection."""

from __future__ import annotations

from marketing.adapters.auth import DEVELOPMENT_ISSUER, contains_development_key, load_jwks
from marketing.adapters.config import Config


def production_problems(config: Config) -> list[str]:
    if config.DEPLOY_ENV != "production":
        return []
    problems: list[str] = []
    if config.AUTH_MODE == "off":
        problems.append('AUTH_MODE must be jwt when DEPLOY_ENV=production (got "off")')
    if config.AUTH_ISSUER == DEVELOPMENT_ISSUER:
        problems.append(
            f'AUTH_ISSUER must not be the development issuer "{DEVELOPMENT_ISSUER}" when DEPLOY_ENV=production'
        )
    try:
        if contains_development_key(load_jwks(config.AUTH_JWKS_FILE)):
            problems.append(
                f"AUTH_JWKS_FILE must not contain the development key ({config.AUTH_JWKS_FILE}) "
                "when DEPLOY_ENV=production"
            )
    except (OSError, ValueError) as error:
        problems.append(f"AUTH_JWKS_FILE cannot be read as a JWKS ({error})")
    if not config.NATS_NKEY_SEED_FILE:
        problems.append("NATS_NKEY_SEED_FILE must be set when DEPLOY_ENV=production (NATS refuses anonymous clients)")
    return problems
