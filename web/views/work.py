"""My work: projects (create, share by invitation), invitations (accept from the e-mailed
link), and jobs (live progress, cancel, retry), through the projects and jobs services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.api.errors import ApiError, Forbidden
from jobs import selectors as job_selectors
from jobs import services as job_services
from jobs.models import ACTIVE_STATUSES, Job, JobStatus
from projects import permissions
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import InvitationStatus, Project
from projects.permissions import Action
from scenes import selectors as scene_selectors
from scenes.services import SCENE_CONTINUATION, SCENE_CREATION
from web.forms import InviteForm, ProjectForm, RetryForm, add_api_error
from web.views.common import paginate

RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELLED)


def _project(request: HttpRequest, project_id: str, action: Action) -> Project:
    """The project if the user may see it (else 404) and do `action` with it (else 403)."""
    project = project_selectors.project_get_for(user=request.user, project_id=project_id)  # type: ignore[arg-type]
    if project is None:
        raise Http404
    try:
        permissions.require(getattr(project, "caller_role", None), action)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    return project


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """Projects, invitations waiting for an answer, and the latest jobs."""
    user = request.user
    return render(
        request,
        "web/my_work.html",
        {
            "projects": project_selectors.project_list_for(user=user).order_by("-updated_at")[:12],  # type: ignore[arg-type]
            "invitations": project_selectors.invitation_list_for(
                user=user,  # type: ignore[arg-type]
                status=InvitationStatus.PENDING,
            ),
            "jobs": job_selectors.job_list_for(user=user).order_by("-created_at")[:10],
            "form": ProjectForm(),
        },
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_services.project_create(owner=request.user, fields=form.cleaned_data)  # type: ignore[arg-type]
        except ApiError as exc:
            add_api_error(form, exc)
        else:
            messages.success(request, f"Project “{project.title}” created.")
            return redirect(reverse("web:project", args=[project.pk]))
    return render(
        request, "web/project_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def project(request: HttpRequest, project_id: str) -> HttpResponse:
    """A project: its collaborators, its jobs; the owner invites people from here."""
    found = _project(request, project_id, Action.READ)
    can_share = permissions.allows(getattr(found, "caller_role", None), Action.SHARE)
    form = InviteForm(request.POST or None) if can_share else None
    if request.method == "POST":
        found = _project(request, project_id, Action.SHARE)
        assert form is not None
        if form.is_valid():
            try:
                invitation = project_services.collaborator_invite(
                    project=found,
                    actor=request.user,  # type: ignore[arg-type]
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ApiError as exc:
                add_api_error(form, exc)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect(reverse("web:project", args=[found.pk]))
    context: dict[str, Any] = {
        "project": found,
        "form": form,
        "can_share": can_share,
        **project_selectors.project_detail_context(project=found),
    }
    return render(request, "web/project.html", context, status=400 if form and form.errors else 200)


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: see the invitation, accept or decline it. Only the invited address
    finds it (anyone else: 404)."""
    found = project_selectors.invitation_get_for(user=request.user, key=token)  # type: ignore[arg-type]
    if found is None:
        raise Http404
    error = ""
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        answer = (
            project_services.invitation_accept if accept else project_services.invitation_decline
        )
        try:
            answered = answer(invitation=found, user=request.user)  # type: ignore[arg-type]
        except ApiError as exc:
            error = exc.message
        else:
            if accept:
                messages.success(request, f"You joined “{answered.project.title}”.")
                return redirect(reverse("web:project", args=[answered.project_id]))
            messages.info(request, "Invitation declined.")
            return redirect("web:my-work")
    return render(
        request,
        "web/invitation.html",
        {"invitation": found, "error": error},
        status=409 if error else 200,
    )


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    """The user's jobs, newest first, live while they run."""
    queryset = job_selectors.job_list_for(user=request.user).order_by("-created_at", "-pk")
    status = request.GET.get("status") or ""
    if status in JobStatus.values:
        queryset = queryset.filter(status=status)
    return render(
        request,
        "web/jobs.html",
        {
            "listing": paginate(request, queryset),
            "statuses": JobStatus.choices,
            "status": status,
            "active": ACTIVE_STATUSES,
        },
    )


def _job(request: HttpRequest, job_id: str) -> Job:
    job = job_selectors.job_detail_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return job


def _scene_url(job: Job) -> str:
    """The scene a scene job works on ("" for other jobs); live.js adds the new segment."""
    if job.scene_id and job.type in (SCENE_CREATION, SCENE_CONTINUATION):
        return reverse("web:scene", args=[job.scene_id])
    return ""


def _result_url(job: Job) -> str:
    """Where a finished scene job sends the reader: the scene, playing the new segment."""
    url, segment_id = _scene_url(job), (job.result or {}).get("segmentId")
    return f"{url}?segment={segment_id}#player" if url and segment_id else url


@login_required
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    """One job: its stages and progress, live over the WebSocket; once finished, its result,
    or its error with each continuity issue and a form to edit the text and retry."""
    found = _job(request, job_id)
    error = found.error or {}
    retry_form = None
    if found.status in RETRYABLE and found.retry_count < found.max_retries:
        retry_form = RetryForm(initial={"modified_text": (found.input or {}).get("text", "")})
    scene = (
        scene_selectors.scene_get(viewer=request.user, scene_id=found.scene_id)
        if found.scene_id
        else None
    )
    return render(
        request,
        "web/job.html",
        {
            "job": found,
            "stages": list(found.stages.all()),
            "error": error,
            "issues": error.get("issues") or [],
            "retry_form": retry_form,
            "scene": scene,
            "done_url": _scene_url(found),
            "result_url": _result_url(found),
            "is_active": found.status in ACTIVE_STATUSES,
            "has_text": "text" in (found.input or {}),
        },
    )


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    found = _job(request, job_id)
    try:
        job_services.job_cancel(job=found)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "The job was cancelled.")
    return redirect(reverse("web:job", args=[found.pk]))


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    """Retry a failed or cancelled job, with the edited text where the form sent one."""
    found = _job(request, job_id)
    form = RetryForm(request.POST)
    modified = form.cleaned_data["modified_text"] if form.is_valid() else None
    try:
        job_services.job_retry(job=found, modified_text=modified)
    except ApiError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:job", args=[found.pk]))
