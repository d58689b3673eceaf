"""Reads for moderation: the queue (reports grouped by target), warnings, users' history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery

from accounts.models import User
from moderation import targets
from moderation.models import (
    OPEN_STATUSES,
    ModerationAction,
    ModerationWarning,
    Report,
    ReportStatus,
)

# `status` of the queue: StoryForge's three, `open` (pending and reviewing) and `all`.
QUEUE_STATUSES = (*ReportStatus.values, "open", "all")


def reports_by_status(reports: QuerySet[Report], status: str) -> QuerySet[Report]:
    """The reports in a queue status (one of QUEUE_STATUSES); the API's queue and the admin's
    status filter."""
    if status == "open":
        return reports.filter(status__in=OPEN_STATUSES)
    if status == "all":
        return reports
    return reports.filter(status=status)


def report_queue(
    *, status: str = ReportStatus.PENDING, target_type: str | None = None
) -> QuerySet[Any]:
    """One row per reported target: its report count, first and last report, and the id of
    its earliest report in the status (the queue item's id). Most reported first, then oldest.
    """
    reports = reports_by_status(Report.objects.all(), status)
    if target_type:
        reports = reports.filter(target_type=target_type)
    earliest = (
        reports.filter(target_type=OuterRef("target_type"), target_id=OuterRef("target_id"))
        .order_by("created_at", "pk")
        .values("pk")[:1]
    )
    return (
        reports.order_by()
        .values("target_type", "target_id")
        .annotate(
            report_count=Count("pk"),
            first_reported_at=Min("created_at"),
            last_reported_at=Max("created_at"),
            report_id=Subquery(earliest),
        )
        .order_by("-report_count", "first_reported_at", "target_id")
    )


@dataclass
class QueueItem:
    """A queue row: the earliest report on a target, and what the others add to it."""

    report: Report
    report_count: int
    reasons: dict[str, int]
    first_reported_at: datetime
    last_reported_at: datetime
    target: dict[str, Any] = field(default_factory=dict)


def queue_items(rows: list[dict[str, Any]], *, status: str) -> list[QueueItem]:
    """A page of `report_queue` rows with their reports, reasons and targets: a fixed number
    of queries for the page (the reports, the reasons, one per target type)."""
    reports = Report.objects.select_related("reporter", "target_owner", "action").in_bulk(
        [row["report_id"] for row in rows]
    )
    reason_rows = (
        reports_by_status(Report.objects.all(), status)
        .filter(target_id__in=[row["target_id"] for row in rows])
        .order_by()
        .values("target_type", "target_id", "reason")
        .annotate(n=Count("pk"))
    )
    reasons: dict[tuple[str, str], dict[str, int]] = {}
    for reason in reason_rows:
        key = (reason["target_type"], reason["target_id"])
        reasons.setdefault(key, {})[reason["reason"]] = reason["n"]
    objects = _targets_of(rows)
    items = []
    for row in rows:
        key = (row["target_type"], row["target_id"])
        items.append(
            QueueItem(
                report=reports[row["report_id"]],
                report_count=row["report_count"],
                reasons=reasons.get(key, {}),
                first_reported_at=row["first_reported_at"],
                last_reported_at=row["last_reported_at"],
                target=_target_summary(row["target_type"], objects.get(key)),
            )
        )
    return items


def _targets_of(rows: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    wanted: dict[str, list[str]] = {}
    for row in rows:
        wanted.setdefault(row["target_type"], []).append(row["target_id"])
    found: dict[tuple[str, str], Any] = {}
    for name, ids in wanted.items():
        if not targets.is_registered(name):
            continue
        for pk, obj in targets.get(name).model._default_manager.in_bulk(ids).items():
            found[(name, str(pk))] = obj
    return found


def _target_summary(name: str, obj: Any) -> dict[str, Any]:
    if obj is None or not targets.is_registered(name):
        return {"exists": False}
    target = targets.get(name)
    return {
        "exists": True,
        "description": target.describe(obj),
        "removed": target.is_removed(obj),
    }


def warnings_for(*, user: User) -> QuerySet[ModerationWarning]:
    """A user's warnings, newest first (withdrawn ones included, marked)."""
    return ModerationWarning.objects.filter(user=user).order_by("-created_at")


def user_history(*, user: User) -> dict[str, Any]:
    """What a moderator wants beside a report: reports made against the user and by them,
    their warnings and the actions taken on them."""
    return {
        "reports_received": Report.objects.filter(target_owner=user)
        .select_related("reporter")
        .order_by("-created_at")[:20],
        "reports_received_count": Report.objects.filter(target_owner=user).count(),
        "reports_made_count": Report.objects.filter(reporter=user).count(),
        "warnings": list(warnings_for(user=user)[:20]),
        "actions": list(
            ModerationAction.objects.filter(target_owner=user)
            .select_related("moderator")
            .order_by("-created_at")[:20]
        ),
    }


def reports_on(*, target_type: str, target_id: str) -> QuerySet[Report]:
    return (
        Report.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("reporter")
        .order_by("-created_at")
    )
