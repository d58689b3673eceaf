"""Plans and what each allows (API_CONVENTIONS.md, "Accounts")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
TIB = 1024 * GIB


class Plan(models.TextChoices):
    FREE = "free", "Free"
    PRO = "pro", "Pro"
    ENTERPRISE = "enterprise", "Enterprise"


# Words other documents use for the same plans.
PLAN_ALIASES = {"premium": Plan.PRO, "basic": Plan.FREE}


@dataclass(frozen=True)
class PlanLimits:
    """What one plan allows; None means unlimited."""

    requests_per_hour: int
    upload_bytes: int
    storage_bytes: int
    max_projects: int | None
    concurrent_jobs: int
    websocket_connections: int | None


PLAN_LIMITS: dict[str, PlanLimits] = {
    Plan.FREE: PlanLimits(100, 10 * MIB, 1 * GIB, 3, 1, 5),
    Plan.PRO: PlanLimits(1_000, 100 * MIB, 10 * GIB, None, 3, 20),
    Plan.ENTERPRISE: PlanLimits(10_000, 1 * GIB, 1 * TIB, None, 10, None),
}

# Anonymous clients are counted per IP address at the free plan's rate.
ANONYMOUS_LIMITS = PLAN_LIMITS[Plan.FREE]


def limits_for(plan: str) -> PlanLimits:
    return PLAN_LIMITS.get(plan, PLAN_LIMITS[Plan.FREE])


def normalize_plan(value: str) -> str:
    """Map a document's plan word (any case, `premium`) onto the canonical plan."""
    lowered = value.strip().lower()
    return PLAN_ALIASES.get(lowered, lowered)
