"""The moderation console in the Django admin: the report queue, the audit log, warnings, and
users as moderators see them.

Every button and bulk action calls the same services as the API (`moderation.services`), so
an action taken here has exactly the effect of `POST /moderation/:id/action`. The reported
content is shown in place through its target type's preview (`moderation.targets`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from accounts.models import AccountStatus, User
from config.admin import ReadOnlyAdmin
from config.api.errors import ApiError
from moderation import selectors, services, targets
from moderation.models import (
    OPEN_STATUSES,
    ActionType,
    ModeratedUser,
    ModerationAction,
    ModerationWarning,
    Report,
    ReportStatus,
)
from moderation.queues import review_queue_links

ACT_PERMISSION = "moderation.act_on_report"
REVERSE_PERMISSION = "moderation.reverse_moderationaction"


class NotesActionForm(helpers.ActionForm):
    """The bulk action bar with a field for the moderator's notes (kept in the audit log)."""

    notes = forms.CharField(
        required=False,
        label="Notes",
        widget=forms.TextInput(attrs={"placeholder": "Why (kept in the audit log)", "size": 40}),
    )


def _notes(request: HttpRequest) -> str:
    return (request.POST.get("notes") or request.POST.get("moderation_notes") or "").strip()


def _user_link(user: User | None) -> str:
    if user is None:
        return "—"
    url = reverse("admin:moderation_moderateduser_change", args=[quote(user.pk)])
    return format_html('<a href="{}">@{}</a>', url, user.username)


def _history_panel(user: User | None) -> SafeString:
    """The user's record: reports against them, their warnings, actions taken on them."""
    if user is None:
        return format_html("<p>{}</p>", "No owner.")
    history = selectors.user_history(user=user)
    return cast(
        SafeString,
        render_to_string(
            "admin/moderation/user_history.html", {"subject": user, "history": history}
        ),
    )


class AgeFilter(admin.SimpleListFilter):
    """How long reports have waited."""

    title = "age"
    parameter_name = "age"
    _ranges = {
        "1h": (None, timedelta(hours=1)),
        "24h": (None, timedelta(days=1)),
        "7d": (None, timedelta(days=7)),
        "older": (timedelta(days=7), None),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("1h", "Last hour"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("older", "Older than 7 days"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() not in self._ranges:
            return queryset
        older_than, newer_than = self._ranges[str(self.value())]
        now = timezone.now()
        if newer_than is not None:
            queryset = queryset.filter(created_at__gte=now - newer_than)
        if older_than is not None:
            queryset = queryset.filter(created_at__lt=now - older_than)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    """Open (pending or reviewing, the default view of the queue) or resolved reports."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), *ReportStatus.choices, ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        # "Open" is what "All" usually is: the queue opens on what needs doing.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors.reports_by_status(queryset, self.value() or "open")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The report queue: open reports, most reported targets first."""

    list_display = [
        "target_cell",
        "reason",
        "status",
        "reports_on_target",
        "reporter_cell",
        "owner_cell",
        "age",
        "outcome",
        "quick_actions",
    ]
    list_display_links = ["target_cell"]
    list_filter = [OpenFilter, "reason", "target_type", AgeFilter]
    date_hierarchy = "created_at"
    search_fields = [
        "id",
        "target_id",
        "description",
        "reporter__username",
        "reporter__email",
        "target_owner__username",
        "target_owner__email",
    ]
    list_select_related = ["reporter", "target_owner", "action"]
    list_per_page = 50
    action_form = NotesActionForm
    actions = [
        "start_review",
        "dismiss_reports",
        "remove_content",
        "warn_owners",
        "ban_owners",
    ]
    change_form_template = "admin/moderation/report/change_form.html"
    change_list_template = "admin/moderation/report/change_list.html"
    fieldsets = [
        (
            "Report",
            {
                "fields": [
                    "id",
                    "status",
                    "reason",
                    "description",
                    "reporter_cell",
                    "created_at",
                    "reviewer",
                    "outcome",
                    "resolved_at",
                ]
            },
        ),
        ("Reported content", {"fields": ["target_cell", "content_panel"]}),
        ("All reports on this content", {"fields": ["other_reports"]}),
        ("The owner's record", {"fields": ["owner_cell", "owner_history"]}),
    ]
    readonly_fields = [
        "id",
        "status",
        "reason",
        "description",
        "reporter_cell",
        "created_at",
        "reviewer",
        "outcome",
        "resolved_at",
        "target_cell",
        "content_panel",
        "other_reports",
        "owner_cell",
        "owner_history",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        same_target = (
            Report.objects.filter(
                target_type=OuterRef("target_type"),
                target_id=OuterRef("target_id"),
                status__in=OPEN_STATUSES,
            )
            .order_by()
            .values("target_type")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Annotated before ordering (ModelAdmin.get_queryset orders by get_ordering at once).
        reports = Report.objects.annotate(_open_on_target=Coalesce(Subquery(same_target), 0))
        return reports.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["-_open_on_target", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # users report through the API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record stays

    def has_act_on_report_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ACT_PERMISSION)

    # --- cells ---

    @admin.display(description="Reported")
    def target_cell(self, report: Report) -> str:
        description = report.target_id
        if targets.is_registered(report.target_type):
            obj = targets.get(report.target_type).get(report.target_id)
            if obj is not None:
                description = targets.get(report.target_type).describe(obj)
        return format_html("<strong>{}</strong> · {}", report.target_type, description)

    @admin.display(description="Open reports on it", ordering="_open_on_target")
    def reports_on_target(self, report: Report) -> int:
        return int(getattr(report, "_open_on_target", 0))

    @admin.display(description="Reporter")
    def reporter_cell(self, report: Report) -> str:
        return _user_link(report.reporter)

    @admin.display(description="Owner")
    def owner_cell(self, report: Report) -> str:
        return _user_link(report.target_owner)

    @admin.display(description="Age", ordering="created_at")
    def age(self, report: Report) -> str:
        return timesince(report.created_at).split(",")[0]

    @admin.display(description="Outcome")
    def outcome(self, report: Report) -> str:
        if report.action is None:
            return "—"
        url = reverse("admin:moderation_moderationaction_change", args=[quote(report.action.pk)])
        reversed_note = " (reversed)" if report.action.reversed_at else ""
        return format_html(
            '<a href="{}">{}</a>{}', url, report.action.get_action_display(), reversed_note
        )

    @admin.display(description="Act")
    def quick_actions(self, report: Report) -> str:
        """One click: the row's buttons post to the same view as the report page's."""
        if not report.is_open:
            return ""
        url = reverse("admin:moderation_report_act", args=[quote(report.pk)])
        buttons = [("dismiss", "Dismiss", "")]
        if targets.is_registered(report.target_type) and targets.get(report.target_type).removable:
            buttons.append(("remove_content", "Remove", ""))
        buttons += [
            ("warn_user", "Warn", ""),
            ("ban_user", "Ban", "return confirm('Ban the owner of this content?')"),
        ]
        return format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'name="moderation_action" value="{}" onclick="{}">{}</button>',
            ((url, value, confirm, label) for value, label, confirm in buttons),
        )

    @admin.display(description="Content")
    def content_panel(self, report: Report) -> str:
        if not targets.is_registered(report.target_type):
            return format_html("<p>{}</p>", f"Unknown type {report.target_type}.")
        target = targets.get(report.target_type)
        obj = target.get(report.target_id)
        if obj is None:
            return format_html("<p><em>{}</em></p>", "This content no longer exists.")
        removed = (
            format_html('<p style="color:#ba2121"><strong>{}</strong></p>', "Removed")
            if target.is_removed(obj)
            else ""
        )
        # Signed file links take the moderator's host from config.files.RequestBaseMiddleware.
        return format_html("{}{}", removed, target.preview(obj))

    @admin.display(description="Reports")
    def other_reports(self, report: Report) -> str:
        rows = selectors.reports_on(target_type=report.target_type, target_id=report.target_id)
        return format_html(
            "<table><tr><th>When</th><th>Reporter</th><th>Reason</th><th>Status</th>"
            "<th>Description</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        r.created_at.strftime("%Y-%m-%d %H:%M"),
                        _user_link(r.reporter),
                        r.get_reason_display(),
                        r.get_status_display(),
                        r.description or "—",
                    )
                    for r in rows[:50]
                ),
            ),
        )

    @admin.display(description="History")
    def owner_history(self, report: Report) -> str:
        return _history_panel(report.target_owner)

    # --- views ---

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/act/",
                self.admin_site.admin_view(require_POST(self.act_view)),
                name="moderation_report_act",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        report = self.get_object(request, unquote(object_id))
        removable = bool(
            report is not None
            and targets.is_registered(report.target_type)
            and targets.get(report.target_type).removable
        )
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_act": bool(
                report is not None and report.is_open and request.user.has_perm(ACT_PERMISSION)
            ),
            "can_remove": removable,
            "act_url": reverse("admin:moderation_report_act", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            # The other apps' review queues (moderation.queues), e.g. the catalog's.
            "review_queues": review_queue_links(),
            "banned_users": User.objects.filter(status=AccountStatus.BANNED).count(),
        }
        return super().changelist_view(request, context)

    def act_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """POST from a report's buttons: take the action through the service."""
        if not request.user.has_perm(ACT_PERMISSION):
            messages.error(request, "You may not act on reports.")
            return HttpResponseRedirect(reverse("admin:moderation_report_changelist"))
        report = get_object_or_404(Report, pk=unquote(object_id))
        action = request.POST.get("moderation_action", "")
        try:
            done = services.report_act(
                report=report,
                moderator=cast(User, request.user),
                action=action,
                notes=_notes(request),
            )
        except ApiError as exc:
            messages.error(request, f"Not done: {exc.message}")
            return HttpResponseRedirect(
                reverse("admin:moderation_report_change", args=[quote(report.pk)])
            )
        resolved = len(done.details.get("reports", []))
        messages.success(
            request,
            f"{done.get_action_display()}: done; {resolved} report(s) on this content resolved.",
        )
        return HttpResponseRedirect(reverse("admin:moderation_report_changelist"))

    # --- bulk actions ---

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Report], action: str) -> None:
        done, failed, seen = 0, [], set()
        for report in queryset.filter(status__in=OPEN_STATUSES):
            key = (report.target_type, report.target_id)
            if key in seen:
                continue  # resolved with an earlier report on the same target
            seen.add(key)
            try:
                services.report_act(
                    report=report,
                    moderator=cast(User, request.user),
                    action=action,
                    notes=_notes(request),
                )
                done += 1
            except ApiError as exc:
                failed.append(f"{report.target_type} {report.target_id}: {exc.message}")
        self.message_user(
            request, f"{ActionType(action).label}: {done} target(s).", messages.SUCCESS
        )
        for failure in failed:
            self.message_user(request, failure, messages.WARNING)

    @admin.action(description="Start reviewing (assign to me)", permissions=["act_on_report"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        taken = sum(
            services.report_review(report=r, moderator=cast(User, request.user))
            for r in queryset.filter(status=ReportStatus.PENDING)
        )
        self.message_user(request, f"{taken} report(s) now in review by you.", messages.SUCCESS)

    @admin.action(description="Dismiss the selected reports", permissions=["act_on_report"])
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._bulk(request, queryset, ActionType.DISMISS)

    @admin.action(description="Remove the reported content", permissions=["act_on_report"])
    def remove_content(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._bulk(request, queryset, ActionType.REMOVE_CONTENT)

    @admin.action(description="Warn the content's owners", permissions=["act_on_report"])
    def warn_owners(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._bulk(request, queryset, ActionType.WARN_USER)

    @admin.action(description="Ban the content's owners", permissions=["act_on_report"])
    def ban_owners(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._bulk(request, queryset, ActionType.BAN_USER)


class ReversedFilter(admin.SimpleListFilter):
    title = "reversed"
    parameter_name = "reversed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "In force"), ("yes", "Reversed")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ModerationAction]
    ) -> QuerySet[ModerationAction]:
        if self.value() == "no":
            return queryset.filter(reversed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(reversed_at__isnull=False)
        return queryset


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The audit log: read-only; an action in force can be reversed."""

    list_display = [
        "created_at",
        "action",
        "target_type",
        "target_id",
        "owner_cell",
        "moderator",
        "short_notes",
        "reversed_at",
    ]
    list_filter = [
        "action",
        ReversedFilter,
        "target_type",
        ("moderator", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    date_hierarchy = "created_at"
    search_fields = [
        "id",
        "target_id",
        "notes",
        "moderator__username",
        "target_owner__username",
        "target_owner__email",
    ]
    list_select_related = ["moderator", "target_owner", "reversed_by"]
    action_form = NotesActionForm
    actions = ["reverse_actions"]
    change_form_template = "admin/moderation/moderationaction/change_form.html"
    fields = readonly_fields = (
        "id",
        "action",
        "moderator",
        "created_at",
        "target_type",
        "target_id",
        "owner_cell",
        "notes",
        "details",
        "reverses",
        "reversed_at",
        "reversed_by",
    )

    def has_reverse_moderationaction_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVERSE_PERMISSION)

    @admin.display(description="Owner")
    def owner_cell(self, action: ModerationAction) -> str:
        return _user_link(action.target_owner)

    @admin.display(description="Notes")
    def short_notes(self, action: ModerationAction) -> str:
        return action.notes if len(action.notes) <= 80 else action.notes[:79] + "…"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/reverse/",
                self.admin_site.admin_view(require_POST(self.reverse_view)),
                name="moderation_moderationaction_reverse",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        action = self.get_object(request, unquote(object_id))
        context = {
            **(extra_context or {}),
            "can_reverse": bool(
                action is not None
                and action.is_reversible
                and request.user.has_perm(REVERSE_PERMISSION)
            ),
            "reverse_url": reverse("admin:moderation_moderationaction_reverse", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, context)

    def reverse_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        if not request.user.has_perm(REVERSE_PERMISSION):
            messages.error(request, "You may not reverse moderation actions.")
            return HttpResponseRedirect(reverse("admin:moderation_moderationaction_changelist"))
        action = get_object_or_404(ModerationAction, pk=unquote(object_id))
        try:
            reversal = services.action_reverse(
                action=action, moderator=cast(User, request.user), notes=_notes(request)
            )
        except ApiError as exc:
            messages.error(request, f"Not reversed: {exc.message}")
        else:
            messages.success(request, f"{reversal.get_action_display()}: done.")
        return HttpResponseRedirect(reverse("admin:moderation_moderationaction_changelist"))

    @admin.action(
        description="Reverse the selected actions (restore, lift ban, withdraw, reopen)",
        permissions=["reverse_moderationaction"],
    )
    def reverse_actions(self, request: HttpRequest, queryset: QuerySet[ModerationAction]) -> None:
        done = 0
        for action in queryset:
            try:
                services.action_reverse(
                    action=action, moderator=cast(User, request.user), notes=_notes(request)
                )
                done += 1
            except ApiError as exc:
                self.message_user(request, f"{action}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Reversed {done} action(s).", messages.SUCCESS)


@admin.register(ModerationWarning)
class ModerationWarningAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "reason", "target_type", "target_id", "withdrawn_at"]
    list_filter = ["reason", "created_at"]
    search_fields = ["user__username", "user__email", "message", "target_id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "id",
        "user",
        "reason",
        "message",
        "target_type",
        "target_id",
        "action",
        "created_at",
        "withdrawn_at",
    )


class BannedFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("banned", "Banned"),
            ("warned", "Warned"),
            ("reported", "Reported"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "banned":
            return queryset.filter(status=AccountStatus.BANNED)
        if self.value() == "warned":
            return queryset.filter(_warnings__gt=0)
        if self.value() == "reported":
            return queryset.filter(_reports__gt=0)
        return queryset


@admin.register(ModeratedUser)
class ModeratedUserAdmin(ReadOnlyAdmin):
    """Users as moderators see them: record, ban, lift a ban, warn. No passwords, no roles."""

    list_display = [
        "username",
        "email",
        "status",
        "role",
        "report_count",
        "warning_count",
        "date_joined",
    ]
    list_filter = [BannedFilter, "status", "role"]
    search_fields = ["username", "email", "display_name", "id"]
    action_form = NotesActionForm
    actions = ["ban_users", "lift_bans", "warn_users"]
    fields = readonly_fields = (
        "id",
        "username",
        "email",
        "display_name",
        "bio",
        "role",
        "status",
        "date_joined",
        "last_login",
        "record",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        reports = (
            Report.objects.filter(target_owner=OuterRef("pk"))
            .order_by()
            .values("target_owner")
            .annotate(n=Count("pk"))
            .values("n")
        )
        warnings = (
            ModerationWarning.objects.filter(user=OuterRef("pk"), withdrawn_at__isnull=True)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _reports=Coalesce(Subquery(reports), 0), _warnings=Coalesce(Subquery(warnings), 0)
            )
        )

    def has_act_on_report_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ACT_PERMISSION)

    def has_reverse_moderationaction_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVERSE_PERMISSION)

    @admin.display(description="Reports against", ordering="_reports")
    def report_count(self, user: User) -> int:
        return int(getattr(user, "_reports", 0))

    @admin.display(description="Warnings", ordering="_warnings")
    def warning_count(self, user: User) -> int:
        return int(getattr(user, "_warnings", 0))

    @admin.display(description="Moderation record")
    def record(self, user: User) -> str:
        return _history_panel(user)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], act: Any, verb: str) -> None:
        done = 0
        for user in queryset:
            try:
                act(user)
                done += 1
            except ApiError as exc:
                self.message_user(request, f"@{user.username}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{verb} {done} user(s).", messages.SUCCESS)

    @admin.action(description="Ban the selected users", permissions=["act_on_report"])
    def ban_users(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        moderator, notes = cast(User, request.user), _notes(request)
        self._each(
            request,
            queryset,
            lambda user: services.user_ban(user=user, moderator=moderator, notes=notes),
            "Banned",
        )

    @admin.action(
        description="Lift the selected users' bans", permissions=["reverse_moderationaction"]
    )
    def lift_bans(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        moderator, notes = cast(User, request.user), _notes(request)
        self._each(
            request,
            queryset.filter(status=AccountStatus.BANNED),
            lambda user: services.user_unban(user=user, moderator=moderator, notes=notes),
            "Lifted the ban of",
        )

    @admin.action(description="Warn the selected users", permissions=["act_on_report"])
    def warn_users(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        moderator, notes = cast(User, request.user), _notes(request)
        if not notes:
            self.message_user(request, "Write the warning in Notes first.", messages.ERROR)
            return
        self._each(
            request,
            queryset,
            lambda user: services.user_warn(user=user, moderator=moderator, notes=notes),
            "Warned",
        )
