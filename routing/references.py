"""Checking a routing config's queue, user and rule ids against the org, when Salesforce can be asked.

``config check`` runs offline and can only check id shapes (``routing.config``). Before a version is
activated, or from ``handoff config check --online``, the composition root can fetch the org's
``RoutingCatalog`` and call ``salesforce_reference_errors``: a queue that does not accept Leads, an
inactive user or a rule that does not exist would otherwise fail only when a lead is routed.
"""

from __future__ import annotations

from routing.config import RoutingConfig
from routing.documents import ConfigErrors
from routing.salesforce import RoutingCatalog, SalesforceRouting


def salesforce_reference_errors(
    config: RoutingConfig, catalog: RoutingCatalog, prefix: str = "routing"
) -> ConfigErrors:
    errors: ConfigErrors = []

    def queue(path: str, queue_id: str) -> None:
        found = catalog.queues.get(queue_id)
        if found is None:
            errors.append((path, f"queue {queue_id} does not exist in Salesforce"))
        elif "Lead" not in found[1]:
            errors.append((path, f'queue "{found[0]}" ({queue_id}) does not accept Leads'))

    def user(path: str, user_id: str) -> None:
        found = catalog.users.get(user_id)
        if found is None:
            errors.append((path, f"user {user_id} does not exist in Salesforce"))
        elif not found[1]:
            errors.append((path, f'user "{found[0]}" ({user_id}) is inactive'))

    def rule(path: str, rule_id: str) -> None:
        if rule_id == "active":
            if not any(active for _, active in catalog.rules.values()):
                errors.append((path, "Salesforce has no active Lead assignment rule"))
        elif rule_id not in catalog.rules:
            errors.append((path, f"Lead assignment rule {rule_id} does not exist in Salesforce"))

    if config.fallback_queue:
        queue(f"{prefix}.fallback_queue", config.fallback_queue)
    if config.accounts.team_rule:
        rule(f"{prefix}.accounts.team_rule", config.accounts.team_rule)
    for index, segment in enumerate(config.segments):
        path = f"{prefix}.segments[{index}].target"
        target = segment.target
        if target.queue:
            queue(f"{path}.queue", target.queue)
        if target.owner:
            user(f"{path}.owner", target.owner)
        if target.assignment_rule:
            rule(f"{path}.assignment_rule", target.assignment_rule)
    return errors


async def check_against_salesforce(config: RoutingConfig, salesforce: SalesforceRouting) -> ConfigErrors:
    """Fetch the org's queues, users and rules once and check every id the config names."""
    return salesforce_reference_errors(config, await salesforce.routing_catalog())
