"""Builders for Salesforce client tests: a throw-away RSA key, a connection, wire-shaped replies."""

from __future__ import annotations

import functools
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from handoff.clock import Clock
from sync.config import SalesforceConnection
from sync.salesforce import SalesforceClient

LOGIN = "https://login.salesforce.com"
INSTANCE = "https://na15.salesforce.com"
DATA = f"{INSTANCE}/services/data/v59.0"
TOKEN_URL = f"{LOGIN}/services/oauth2/token"


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        rsa_key()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


def public_pem() -> str:
    return (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def a_connection(**overrides: Any) -> SalesforceConnection:
    values: dict[str, Any] = {
        "consumer_key": "3MVG9consumerkey",
        "username": "integration@acme.example",
        "daily_reserve": 100,
    }
    values.update(overrides)
    return SalesforceConnection(**values)


def a_client(clock: Clock, **overrides: Any) -> SalesforceClient:
    return SalesforceClient(a_connection(**overrides), private_key=private_pem(), clock=clock)


def token_reply(token: str = "00Dxx0000001gPL!AR8AQfirst") -> httpx.Response:
    """The JWT reply has exactly these five fields (reference §1a)."""
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "scope": "web api",
            "instance_url": INSTANCE,
            "id": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
            "token_type": "Bearer",
        },
    )


def limit_info(used: int, maximum: int = 15000) -> dict[str, str]:
    return {"Sforce-Limit-Info": f"api-usage={used}/{maximum}"}


def error_array(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        entry["fields"] = fields
    return [entry]


def lead_id(n: int) -> str:
    return f"00Q5g00000{n:05d}EAH"
