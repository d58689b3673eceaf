"""Filters of `GET /projects` (status in any document's words, genre, organization, search)
and of `GET /projects/:id/jobs` (StoryCore's status and type)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from config.api.errors import ValidationFailed
from jobs.api.views import JobFilter
from jobs.models import Job
from projects.models import Project, ProjectStatus, normalize_status


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(
        method="filter_status",
        help_text="draft, created, active, on-hold, completed or archived, in any document's "
        "words (DRAFT, ON_HOLD…). `deleted` is accepted and lists nothing: a deleted project "
        "is gone.",
    )
    genre = django_filters.CharFilter(field_name="genre", lookup_expr="iexact")
    organization_id = django_filters.CharFilter(help_text="Only this organization's projects.")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the title or the description."
    )

    class Meta:
        model = Project
        fields = ["status", "genre", "organization_id", "search"]

    def filter_status(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        status = normalize_status(value)
        if status is None:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(ProjectStatus.values)}."
            )
        return queryset.filter(status=status)

    def filter_search(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        if len(value) > 200:
            raise ValidationFailed.for_field("search", "Must be at most 200 characters.")
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class ProjectJobFilter(django_filters.FilterSet):
    """`status` (`running` is `processing`, as in GET /jobs) and `type`."""

    status = django_filters.CharFilter(method="filter_status")
    type = django_filters.CharFilter()

    class Meta:
        model = Job
        fields = ["status", "type"]

    filter_status = JobFilter.filter_status
