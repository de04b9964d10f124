"""The gate's rejections and holds: exclusions, the score gate, required and broken data.

A mixin of ``routing.gate.Gate`` (split out to keep each file about one thing); it reads the compiled
config the gate sets up and returns ``Reason`` values, never raising on a person's data.
"""

from __future__ import annotations

import re
from typing import Any

from routing.config import AnyOf, RequiredField, RoutingConfig, Segment
from routing.decision import Reason
from routing.fields import SALESFORCE_REQUIRED
from routing.normalise import company_key, domain_in, website_domain
from routing.person import PersonValues


class RuleChecks:
    config: RoutingConfig
    free_mail: frozenset[str]
    disposable: frozenset[str]
    competitor_domains: frozenset[str]
    competitor_names: frozenset[str]
    test_patterns: tuple[re.Pattern[str], ...]
    excluded_countries: frozenset[str]

    def _exclusions(self, values: PersonValues, domain: str | None) -> list[Reason]:
        ex = self.config.exclusions
        found: list[Reason] = []
        if ex.unsubscribed and values.values.get("unsubscribed") is True:
            found.append(Reason("unsubscribed", "The person has unsubscribed.", blocks="reject"))
        if ex.bounced and values.values.get("emailInvalid") is True:
            found.append(
                Reason("bounced", "The person's email address bounces (marked invalid).", blocks="reject")
            )
        if domain is not None:
            if ex.free_mail and domain_in(domain, self.free_mail):
                found.append(
                    Reason(
                        "free_mail", f"{domain} is a free-mail domain.", {"domain": domain}, blocks="reject"
                    )
                )
            if ex.disposable and domain_in(domain, self.disposable):
                found.append(
                    Reason(
                        "disposable_email",
                        f"{domain} is a disposable-mail domain.",
                        {"domain": domain},
                        blocks="reject",
                    )
                )
        site = website_domain(values.text("website"))
        for candidate in (domain, site):
            if domain_in(candidate, self.competitor_domains):
                found.append(
                    Reason(
                        "competitor",
                        f"{candidate} belongs to a competitor.",
                        {"domain": candidate},
                        blocks="reject",
                    )
                )
                break
        else:
            company = company_key(values.text("company"))
            if company and company in self.competitor_names:
                found.append(
                    Reason(
                        "competitor",
                        f"{values.text('company')} is a competitor.",
                        {"company": values.text("company")},
                        blocks="reject",
                    )
                )
        for pattern in self.test_patterns:
            hit = next(
                (name for name in ex.test_fields if (text := values.text(name)) and pattern.search(text)),
                None,
            )
            if hit is not None:
                found.append(
                    Reason(
                        "test_record",
                        f"{hit} matches the test-record pattern {pattern.pattern!r}.",
                        {"field": hit, "pattern": pattern.pattern},
                        blocks="reject",
                    )
                )
                break
        country = values.text("country")
        if country and country.casefold() in self.excluded_countries:
            found.append(
                Reason(
                    "excluded_country",
                    f"{country} is an excluded country.",
                    {"country": country},
                    blocks="reject",
                )
            )
        return found

    def _score(self, values: PersonValues) -> list[Reason]:
        thresholds = self.config.score.thresholds
        if not thresholds:
            return []
        results = {name: values.values.get(name) for name in thresholds}
        passed = {
            name: isinstance(value, float) and value >= thresholds[name] for name, value in results.items()
        }
        ok = all(passed.values()) if self.config.score.mode == "all" else any(passed.values())
        if ok:
            return []
        failing = [name for name, good in passed.items() if not good]
        described = ", ".join(
            f"{name} {_score_text(results[name])} < {thresholds[name]:g}" for name in failing
        )
        return [
            Reason(
                "below_score",
                f"Not qualified: {described}.",
                {"scores": results, "thresholds": dict(thresholds), "mode": self.config.score.mode},
                blocks="reject",
            )
        ]

    def _required(
        self,
        values: PersonValues,
        segment: Segment | None,
        email: str | None,
        email_ok: bool,
        lead_action: str,
    ) -> list[Reason]:
        found: list[Reason] = []
        if email is None and "email" not in values.problems:
            found.append(
                Reason("missing_email", "No email address: the person cannot be deduplicated.", blocks="hold")
            )
        elif not email_ok:
            problem = values.problems.get("email", "not an email address")
            found.append(
                Reason(
                    "invalid_email",
                    f"The email address is unusable: {problem}.",
                    {"problem": problem},
                    blocks="hold",
                )
            )
        items: list[RequiredField] = list(self.config.required_fields)
        if segment is not None:
            items.extend(segment.required_fields)
        if lead_action == "create":
            items.extend(SALESFORCE_REQUIRED)
        missing: list[str] = []
        broken: dict[str, str] = {}
        for item in items:
            names = item.any_of if isinstance(item, AnyOf) else [item]
            if any(values.filled(name) for name in names) or names == ["email"]:
                continue
            problems = {name: values.problems[name] for name in names if name in values.problems}
            if problems:
                broken.update(problems)
            else:
                label = " or ".join(names)
                if label not in missing:
                    missing.append(label)
        if missing:
            found.append(
                Reason(
                    "missing_field",
                    f"Waiting for {', '.join(missing)}.",
                    {"fields": missing, "segment": segment.name if segment else None},
                    blocks="hold",
                )
            )
        if broken:
            described = "; ".join(f"{name}: {problem}" for name, problem in broken.items())
            found.append(
                Reason("invalid_field", f"Unusable data in {described}.", {"fields": broken}, blocks="hold")
            )
        return found

    def _ignored_problems(self, values: PersonValues, segment: Segment | None) -> list[Reason]:
        required = (
            {
                name
                for item in list(self.config.required_fields)
                + (list(segment.required_fields) if segment else [])
                for name in (item.any_of if isinstance(item, AnyOf) else [item])
            }
            | set(SALESFORCE_REQUIRED)
            | {"email"}
        )
        ignored = {name: problem for name, problem in values.problems.items() if name not in required}
        if not ignored:
            return []
        return [
            Reason(
                "ignored_invalid_field",
                f"Left out unusable data: {', '.join(sorted(ignored))}.",
                {"fields": ignored},
            )
        ]


def _score_text(value: Any) -> str:
    return "missing" if value is None else f"{value:g}"
