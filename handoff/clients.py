"""The two API clients of a running Handoff, built from handoff.yaml (addresses) and the environment (secrets).

One client per external system per process, shared by every flow, so that one throttle and one token
cache govern all traffic to each system.
"""

from __future__ import annotations

from dataclasses import dataclass

from handoff.runtime import Runtime, StartupError
from sync.marketo.client import MarketoClient
from sync.salesforce.client import SalesforceClient


@dataclass
class Clients:
    salesforce: SalesforceClient | None
    marketo: MarketoClient | None

    async def aclose(self) -> None:
        for client in (self.salesforce, self.marketo):
            if client is not None:
                await client.aclose()


def build_clients(runtime: Runtime) -> Clients:
    """Clients for the configured connections; a connection without its secret is a start-up error."""
    settings, config = runtime.settings, runtime.config
    salesforce = marketo = None
    if config.salesforce is not None:
        try:
            salesforce = SalesforceClient(
                config.salesforce,
                private_key=settings.secret("salesforce_private_key"),
                client_secret=settings.secret("salesforce_client_secret"),
                clock=runtime.clock,
            )
        except ValueError as exc:
            raise StartupError(
                f"salesforce connection: {exc}. Set HANDOFF_SALESFORCE_PRIVATE_KEY(_FILE) for JWT, or "
                "HANDOFF_SALESFORCE_CLIENT_SECRET for client credentials."
            ) from exc
    if config.marketo is not None:
        try:
            marketo = MarketoClient(
                config.marketo,
                client_secret=settings.secret("marketo_client_secret") or "",
                clock=runtime.clock,
            )
        except ValueError as exc:
            raise StartupError(f"marketo connection: {exc}") from exc
    return Clients(salesforce=salesforce, marketo=marketo)
