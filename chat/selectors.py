"""Reads: a session with the caller's role, session lists, history, what the project shows of
its sessions (counts, active list, progress), and the project's analysed assets as references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import User
from assets.selectors import project_analysed_assets
from chat.choices import STEPS, SessionStatus, percentage_for, step_index
from chat.models import ChatMessage, ChatSession
from chat.workflow import Reference
from config.api.responses import iso
from projects import selectors as project_selectors
from projects.models import Project
from projects.permissions import ProjectRole

TAKING_PART = (ProjectRole.OWNER, ProjectRole.COLLABORATOR)


@dataclass(frozen=True)
class SessionAccess:
    """A session and the caller's role on its project (owner, collaborator or viewer)."""

    session: ChatSession
    role: str

    @property
    def can_take_part(self) -> bool:
        return self.role in TAKING_PART


def project_for(*, user: User, project_id: str) -> Project | None:
    """The live project with `caller_role`, or None when the user may not see it."""
    return project_selectors.project_get_for(user=user, project_id=project_id)


def session_access_for(*, user: User, session_id: str) -> SessionAccess | None:
    """The session and the caller's role, or None (404) when they are not a project member."""
    session = ChatSession.objects.select_related("project").filter(pk=session_id).first()
    if session is None:
        return None
    project = project_for(user=user, project_id=session.project_id)
    role = getattr(project, "caller_role", None) if project is not None else None
    return SessionAccess(session, role) if role else None


def session_list_for(
    *, user: User, project_id: str | None = None, status: str | None = None
) -> QuerySet[ChatSession]:
    """The sessions of every project the user is a member of, newest activity first."""
    visible = project_selectors.project_list_for(user=user).order_by().values("pk")
    sessions = ChatSession.objects.filter(project_id__in=visible).select_related("project")
    if project_id:
        sessions = sessions.filter(project_id=project_id)
    if status:
        sessions = sessions.filter(status=status)
    return sessions.order_by("-last_activity", "-created_at")


def session_messages(
    *, session: ChatSession, after_position: int = 0, limit: int | None = None
) -> list[ChatMessage]:
    """The history in order (after `after_position`: what a reconnecting member missed)."""
    messages = session.messages.filter(position__gt=after_position).select_related("author")
    messages = messages.order_by("position")
    return list(messages[:limit] if limit else messages)


def last_offer(session: ChatSession) -> ChatMessage | None:
    """The assistant's latest message: its choices are the ones a choice may pick."""
    return session.messages.filter(role="assistant").order_by("-position").first()


def references(*, project: Project) -> list[Reference]:
    """The project's analysed assets as the workflow reads them (palette, description, tags)."""
    refs = []
    for asset in project_analysed_assets(project=project):
        analysis = asset.analysis or {}
        palette = (asset.technical or {}).get("palette") or []
        style = analysis.get("styleAnalysis") or {}
        refs.append(
            Reference(
                id=asset.pk,
                name=asset.name,
                kind=asset.kind,
                media_type=asset.media_type,
                description=str(analysis.get("description") or asset.description or asset.name),
                tags=[str(t) for t in [*(asset.tags or []), *(analysis.get("tags") or [])]],
                colours=list(dict.fromkeys(str(c.get("name", "")) for c in palette if c)),
                hexes=[str(c.get("hex", "")) for c in palette if c],
                tone=str(style.get("colorTone") or ""),
                brightness=str(style.get("brightnessLevel") or ""),
            )
        )
    return refs


def progress_of(session: ChatSession) -> dict[str, Any]:
    """The workflow's progress: percentage, the step, completed and next steps, every step."""
    done = list(session.completed_steps)
    if session.status == SessionStatus.COMPLETED:
        upcoming: list[str] = []
    else:
        upcoming = list(STEPS[step_index(session.current_step) :])
    return {
        "percentage": percentage_for(len(done)),
        "currentPhase": session.current_step,
        "completedSteps": done,
        "nextSteps": upcoming,
        "workflowSteps": [
            {
                "name": step,
                "status": "completed"
                if step in done
                else ("current" if step == session.current_step else "pending"),
            }
            for step in STEPS
        ],
        "totalSteps": len(STEPS),
    }


# --- what projects show (registered in ChatConfig.ready) ------------------------------------


def project_active_counts(project_ids: list[str]) -> dict[str, int]:
    """projects.counts' `active_sessions_count`, one query for a page of projects."""
    rows = (
        ChatSession.objects.filter(project_id__in=project_ids, status=SessionStatus.ACTIVE)
        .order_by()
        .values("project_id")
        .annotate(count=Count("pk"))
        .values_list("project_id", "count")
    )
    return dict(rows)


def project_active_sessions(project: Project) -> list[dict[str, Any]]:
    """The project detail's `activeSessions`."""
    sessions = ChatSession.objects.filter(project=project, status=SessionStatus.ACTIVE)
    return [
        {
            "id": s.pk,
            "userId": s.user_id,
            "currentStep": s.current_step,
            "lastActivity": iso(s.last_activity),
        }
        for s in sessions.order_by("-last_activity")[:20]
    ]


def project_progress(project: Project) -> dict[str, Any] | None:
    """The project's progress follows its latest session (None: the project has none)."""
    session = ChatSession.objects.filter(project=project).order_by("-last_activity").first()
    return progress_of(session) if session is not None else None
