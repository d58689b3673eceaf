"""Generation endpoints: StoryCore's /ai/*, the AI Video System's /generate and /templates,
and the film job API's POST /jobs. Every one validates, then submits a job (or reads one)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from config.api.errors import NotFound, RateLimited, ValidationFailed
from config.api.ratelimit import consume
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from jobs.api.serializers import JobSerializer
from jobs.api.submit import accepted, submit_job
from jobs.api.views import JobListView
from jobs.models import Job
from jobs.selectors import job_context, job_get_for
from media_pipeline.pipeline import render_seconds
from projects import permissions
from projects import selectors as project_selectors
from studio import job_types, selectors, services, templates
from studio import model_catalog as models
from studio.api import serializers as s
from studio.models import Template

GENERATE_VIDEO_RATE = "10/h"  # the AI Video System's limit for POST /generate/video
TEMPLATES_RATE = "100/h"  # the AI Video System's limit for GET /templates


def _project(request: AuthenticatedRequest, project_id: str | None) -> str:
    """The project a new job belongs to: one the caller may start jobs on (else 404/403)."""
    if not project_id:
        return ""
    project = project_selectors.project_get_for(user=request.user, project_id=project_id)
    if project is None:
        raise NotFound("Project not found")
    permissions.require(getattr(project, "caller_role", None), permissions.Action.START_JOB)
    return project.pk


def _validated(view: GenericAPIView, request: AuthenticatedRequest) -> tuple[dict[str, Any], str]:
    """The request body as the view's serializer checks it, less `project_id`; and the project."""
    data = view.get_serializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    return fields, _project(request, fields.pop("project_id", None))


def _estimated_time(job: Job) -> int:
    """Seconds the render should take once started (a rough figure per backend)."""
    duration = sum(shot["duration"] for shot in job.input.get("request", {}).get("shots", []))
    if job.type == job_types.FILM:
        duration = job.input["config"]["video_duration"]
    return max(1, round(render_seconds(job.input.get("backend", "animatic"), duration) + 2))


def _generation_accepted(job: Job, created: bool, message: str) -> ApiResponse:
    """The AI Video System's `{jobId, status, estimatedTime}`, with the whole job beside it."""
    data = JobSerializer(job, context=job_context([job])).data
    return accepted(
        job,
        created,
        message=message,
        data={"job_id": job.pk, "estimated_time": _estimated_time(job), **data},
    )


def ai_job_data(job: Job) -> dict[str, Any]:
    """A job in StoryCore's /ai shape: its prompt, model, parameters and context on top."""
    data = dict(JobSerializer(job, context=job_context([job])).data)
    for key in ("model", "prompt", "parameters", "context", "operations", "input_path"):
        if key in job.input:
            data[key] = job.input[key]
    return data


class AiJobView(GenericAPIView):
    """What POST /ai/text and POST /ai/image share: validate, submit, answer 201."""

    job_type = ""
    created_message = ""
    serializer_class: type[Serializer] = s.GenerationRequestSerializer
    schema_errors: tuple[int, ...] = (402, 404)

    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        fields, project_id = _validated(self, request)
        job, created = submit_job(request, type=self.job_type, input=fields, project_id=project_id)
        return accepted(
            job,
            created,
            message=self.created_message,
            data=ai_job_data(job),
            status_code=status.HTTP_201_CREATED,
        )


def _ai_schema(operation_id: str, summary: str) -> Any:
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            tags=["ai"],
            summary=summary,
            responses={201: JobSerializer},
        )
    )


@_ai_schema("ai_text", "Generate text")
class TextView(AiJobView):
    """POST /ai/text."""

    job_type = job_types.TEXT
    created_message = "Text generation job created"


@_ai_schema("ai_image", "Generate an image")
class ImageView(AiJobView):
    """POST /ai/image."""

    job_type = job_types.IMAGE
    created_message = "Image generation job created"


@_ai_schema("ai_video", "Process one of your videos with ffmpeg operations")
class VideoProcessingView(AiJobView):
    """POST /ai/video: enhancement, stabilisation, resize, transcode."""

    job_type = job_types.VIDEO_PROCESSING
    created_message = "Video processing job created"
    serializer_class = s.ProcessingRequestSerializer
    schema_errors = (402, 404, 422)


@_ai_schema("ai_audio", "Process the audio of one of your files")
class AudioProcessingView(VideoProcessingView):
    """POST /ai/audio: transcode, normalise, noise reduction (transcription if configured)."""

    job_type = job_types.AUDIO_PROCESSING
    created_message = "Audio processing job created"


class ModelListView(GenericAPIView):
    """GET /ai/models (`type` filter, pages)."""

    serializer_class = s.ModelSerializer
    filter_backends: list[Any] = []  # a registry, not a queryset: `type` is read by hand

    @extend_schema(
        operation_id="ai_models_list",
        tags=["ai"],
        summary="The models and engines of this platform, and whether each can run here",
        parameters=[OpenApiParameter("type", str, enum=list(models.MODEL_TYPES))],
        responses=s.ModelSerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        kind = request.query_params.get("type")
        if kind is not None and kind not in models.MODEL_TYPES:
            raise ValidationFailed.for_field("type", f"One of: {', '.join(models.MODEL_TYPES)}.")
        page: list[Any] = self.paginate_queryset(models.models(kind)) or []  # type: ignore[arg-type]
        return self.get_paginated_response(s.ModelSerializer(page, many=True).data)


def _model(model_id: str) -> models.ModelSpec:
    try:
        return models.get(model_id)
    except LookupError:
        raise NotFound("Model not found") from None


class ModelDetailView(GenericAPIView):
    """GET /ai/models/:id, with its usage on this platform."""

    serializer_class = s.ModelSerializer

    @extend_schema(operation_id="ai_models_get", tags=["ai"], summary="A model, with its usage")
    def get(self, request: AuthenticatedRequest, model_id: str) -> ApiResponse:
        spec = _model(model_id)
        data = dict(s.ModelSerializer(spec).data)
        data["usage"] = selectors.model_usage(spec.id)
        return ApiResponse(data)


class ModelOptimizeView(GenericAPIView):
    """POST /ai/models/:id/optimize: a probe job that measures and stores tuned defaults."""

    serializer_class = s.OptimizeSerializer
    schema_errors = (402, 404)

    @extend_schema(
        operation_id="ai_models_optimize",
        tags=["ai"],
        summary="Tune a model's defaults for a task, measured on a short probe",
        responses={202: JobSerializer},
    )
    def post(self, request: AuthenticatedRequest, model_id: str) -> ApiResponse:
        spec = _model(model_id)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job, created = submit_job(
            request,
            type=job_types.MODEL_OPTIMIZATION,
            input={**data.validated_data, "model_id": spec.id},
        )
        return accepted(job, created, message="Model optimization queued")


# --- the AI Video System -------------------------------------------------------------------


class GenerateVideoView(GenericAPIView):
    """POST /generate/video (10 an hour per user)."""

    serializer_class = s.VideoGenerateSerializer
    schema_errors = (402, 404, 429)

    @extend_schema(
        operation_id="generate_video",
        tags=["generate"],
        summary="Generate a video from a prompt",
        responses={202: JobSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        fields, project_id = _validated(self, request)
        usage = consume(
            request._request,
            group="generate-video",
            key=f"user:{request.user.pk}",
            rate=GENERATE_VIDEO_RATE,
        )
        if usage.limited:
            raise RateLimited(
                f"At most {usage.limit} video generations an hour; retry in "
                f"{usage.retry_after} seconds",
                headers={"Retry-After": str(usage.retry_after)},
            )
        job, created = submit_job(
            request, type=job_types.VIDEO, input=fields, project_id=project_id
        )
        return _generation_accepted(job, created, "Video generation queued")


class GenerationStatusView(GenericAPIView):
    """GET /generate/status/:jobId."""

    serializer_class = JobSerializer

    @extend_schema(
        operation_id="generate_status", tags=["generate"], summary="A generation's status"
    )
    def get(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = job_get_for(user=request.user, job_id=job_id)
        if job is None:
            raise NotFound("Job not found")
        data = dict(JobSerializer(job, context=job_context([job])).data)
        estimated = None
        if job.started_at and job.status == "processing":
            estimated = job.started_at + timedelta(seconds=_estimated_time(job))
        elif job.status in ("queued", "pending"):
            start = job_context([job]).get("estimated_starts", {}).get(job.pk) or timezone.now()
            estimated = start + timedelta(seconds=_estimated_time(job))
        data["estimated_completion"] = estimated
        data["clip_id"] = (job.result or {}).get("clipId")
        return ApiResponse(data)


class ClipView(GenericAPIView):
    """GET /generate/clip/:clipId."""

    serializer_class = s.ClipSerializer

    @extend_schema(operation_id="generate_clip", tags=["generate"], summary="A generated clip")
    def get(self, request: AuthenticatedRequest, clip_id: str) -> ApiResponse:
        clip = selectors.clip_get_for(user=request.user, clip_id=clip_id)
        if clip is None:
            raise NotFound("Clip not found")
        return ApiResponse(s.ClipSerializer(clip).data)


class TemplateListView(GenericAPIView):
    """GET /templates (`category` filter, pages)."""

    serializer_class = s.TemplateSerializer

    def get_queryset(self) -> QuerySet[Template]:
        if getattr(self, "swagger_fake_view", False):
            return Template.objects.none()
        queryset = selectors.template_list_for(user=self.request.user)
        category = self.request.query_params.get("category")
        return queryset.filter(category=category) if category else queryset

    @extend_schema(
        operation_id="templates_list",
        tags=["templates"],
        summary="Video templates",
        parameters=[OpenApiParameter("category", str)],
        responses=s.TemplateSerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        usage = consume(
            request._request, group="templates", key=f"user:{request.user.pk}", rate=TEMPLATES_RATE
        )
        if usage.limited:
            raise RateLimited(
                f"At most {usage.limit} template listings an hour; retry in "
                f"{usage.retry_after} seconds",
                headers={"Retry-After": str(usage.retry_after)},
            )
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response(s.TemplateSerializer(page, many=True).data)


class TemplateDetailView(TemplateListView):
    """GET /templates/:id."""

    @extend_schema(
        operation_id="templates_get",
        tags=["templates"],
        summary="A template",
        responses=s.TemplateSerializer,
    )
    def get(self, request: AuthenticatedRequest, template_id: str) -> ApiResponse:  # type: ignore[override]
        template = self.get_queryset().filter(pk=template_id).first()
        if template is None:
            raise NotFound("Template not found")
        return ApiResponse(s.TemplateSerializer(template).data)


class TemplateUseView(GenericAPIView):
    """POST /templates/:id/use: the template's render request with the customisations."""

    serializer_class = s.TemplateUseSerializer
    schema_errors = (402, 404)

    @extend_schema(
        operation_id="templates_use",
        tags=["templates"],
        summary="Render a template with customisations",
        responses={202: JobSerializer},
    )
    def post(self, request: AuthenticatedRequest, template_id: str) -> ApiResponse:
        template = selectors.template_list_for(user=request.user).filter(pk=template_id).first()
        if template is None:
            raise NotFound("Template not found")
        fields, project_id = _validated(self, request)
        render = templates.render_request(template, fields.get("customizations") or {})
        job, created = submit_job(
            request,
            type=job_types.VIDEO,
            input={
                "request": render,
                "title": fields.get("title") or template.name,
                "template_id": template.pk,
                "prompt": render["shots"][0]["prompt"],
            },
            project_id=project_id,
        )
        if created:
            services.template_count_use(template=template)
        return _generation_accepted(job, created, "Template render queued")


def template_thumbnail(request: HttpRequest, template_id: str) -> HttpResponseBase:
    """GET /templates/:id/thumbnail.jpg: a still of the template, drawn once and kept."""
    template = get_object_or_404(Template, pk=template_id, is_public=True)
    name = template.thumbnail_file or f"templates/{template.pk}/thumbnail.jpg"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(templates.thumbnail_jpeg(template)))
        Template.objects.filter(pk=template.pk).update(thumbnail_file=name)
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


template_thumbnail.permission_classes = [AllowAny]  # type: ignore[attr-defined]


# --- the film job API ----------------------------------------------------------------------


class JobCollectionView(JobListView):
    """GET /jobs (the jobs app's list) and POST /jobs: script → images → video, voice, music.

    The film job API creates jobs at the jobs collection itself; the jobs engine knows no
    job type, so the film job's POST lives here, on a subclass of the engine's list view.
    """

    serializer_class = s.FilmJobSerializer  # type: ignore[assignment]
    schema_errors = (402, 404)

    @extend_schema(
        operation_id="jobs_create",
        tags=["jobs"],
        summary="Make a film from a script (images, video, voice, music)",
        responses={202: JobSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        fields, project_id = _validated(self, request)
        job, created = submit_job(request, type=job_types.FILM, input=fields, project_id=project_id)
        body = dict(JobSerializer(job, context=job_context([job])).data)
        body["script"] = job.input["script"]
        body["config"] = job.input["config"]
        return accepted(job, created, message="Film job queued", data=body)
