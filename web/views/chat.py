"""The guided workflow in the browser: a project's sessions, the conversation (history, the
offered choices as buttons, custom input, progress through the ten steps, members typing over
/api/v1/websocket with the page's session), and the scene and render job it produces. Every
write is the chat app's service the API calls (chat.services), with the same rule: owners and
collaborators take part, viewers read, anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from chat import selectors, services
from chat.choices import STEPS, SessionStatus
from chat.selectors import TAKING_PART, SessionAccess
from config.api.errors import ApiError
from projects import selectors as project_selectors
from projects.models import Project

TAKE_PART = "Only the project's owner and collaborators take part in its workflow"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _step_label(step: str) -> str:
    return step.replace("-", " ").capitalize()


def _access(request: HttpRequest, session_id: str) -> SessionAccess:
    access = selectors.session_access_for(user=_user(request), session_id=session_id)
    if access is None:
        raise Http404
    return access


def _taking_part(request: HttpRequest, session_id: str) -> SessionAccess:
    access = _access(request, session_id)
    if not access.can_take_part:
        raise PermissionDenied(TAKE_PART)
    return access


def _startable_project(request: HttpRequest, project_id: str) -> Project:
    project = selectors.project_for(user=_user(request), project_id=project_id)
    if project is None:
        raise Http404
    if getattr(project, "caller_role", None) not in TAKING_PART:
        raise PermissionDenied(TAKE_PART)
    return project


def _text(request: HttpRequest, name: str, *, required: bool) -> tuple[str, str]:
    """The posted text and an error to show (empty when it is fine)."""
    value = (request.POST.get(name) or "").strip()
    if required and not value:
        return value, "Write something first."
    if len(value) > services.MAX_MESSAGE_CHARS:
        return value, f"At most {services.MAX_MESSAGE_CHARS} characters."
    return value, ""


@login_required
def workflows(request: HttpRequest) -> HttpResponse:
    """The user's sessions across their projects, and a form to start one."""
    user = _user(request)
    projects = [
        p
        for p in project_selectors.project_list_for(user=user).order_by("title")
        if getattr(p, "caller_role", None) in TAKING_PART
    ]
    error = ""
    if request.method == "POST":
        project = _startable_project(request, request.POST.get("project_id") or "")
        concept, error = _text(request, "concept", required=True)
        if not error:
            try:
                turn = services.session_start(project=project, user=user, text=concept)
            except ApiError as exc:
                error = exc.message
            else:
                return redirect(reverse("web:chat-session", args=[turn.session.pk]))
    sessions = selectors.session_list_for(user=user)[:50]
    return render(
        request,
        "web/workflows.html",
        {
            "sessions": [(s, _step_label(s.current_step)) for s in sessions],
            "projects": projects,
            "error": error,
            "steps": [_step_label(s) for s in STEPS],
        },
        status=400 if error else 200,
    )


@login_required
def session(request: HttpRequest, session_id: str) -> HttpResponse:
    """The conversation: history, the latest offer's choices, progress, the result."""
    access = _access(request, session_id)
    return _session_page(request, access)


def _session_page(
    request: HttpRequest, access: SessionAccess, *, error: str = "", status: int = 200
) -> HttpResponse:
    found = access.session
    history = selectors.session_messages(session=found)
    offer = selectors.last_offer(found)
    progress = selectors.progress_of(found)
    context: dict[str, Any] = {
        "chat": found,
        "project": found.project,
        "history": history,
        "choices": offer.choices if offer and found.status == SessionStatus.ACTIVE else [],
        "can_take_part": access.can_take_part,
        "progress": progress,
        "steps": [
            {"label": _step_label(s["name"]), "status": s["status"]}
            for s in progress["workflowSteps"]
        ],
        "step_label": _step_label(found.current_step),
        "step_number": STEPS.index(found.current_step) + 1,
        "error": error,
        "last_message_id": history[-1].pk if history else "",
        "max_chars": services.MAX_MESSAGE_CHARS,
    }
    return render(request, "web/chat_session.html", context, status=status)


@login_required
@require_POST
def choose(request: HttpRequest, session_id: str) -> HttpResponse:
    """Pick an offered choice (chat.services.choice_select), refined by custom input."""
    access = _taking_part(request, session_id)
    custom, error = _text(request, "custom_input", required=False)
    if not error:
        try:
            turn = services.choice_select(
                session=access.session,
                user=_user(request),
                choice_id=request.POST.get("choice_id") or "",
                custom_input=custom,
            )
        except ApiError as exc:
            error = exc.message
        else:
            if turn.scene_id:
                messages.success(request, "Production has started: your scene is being made.")
            return redirect(reverse("web:chat-session", args=[session_id]))
    return _session_page(request, _access(request, session_id), error=error, status=400)


@login_required
@require_POST
def say(request: HttpRequest, session_id: str) -> HttpResponse:
    """Free text in the current step (chat.services.message_post), answered."""
    access = _taking_part(request, session_id)
    text, error = _text(request, "message", required=True)
    if not error:
        try:
            services.message_post(session=access.session, user=_user(request), text=text)
        except ApiError as exc:
            error = exc.message
        else:
            return redirect(reverse("web:chat-session", args=[session_id]) + "#latest")
    return _session_page(request, _access(request, session_id), error=error, status=400)
