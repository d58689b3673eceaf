"""Job endpoints (every document's job API) and webhook endpoints."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api.errors import Conflict, NotFound, ValidationFailed
from config.api.pagination import LogPagination
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from config.api.schema import message_only
from config.files import signed_url
from jobs import registry, selectors, services, webhooks
from jobs.api import serializers as s
from jobs.costs import as_money, film_estimate
from jobs.models import Job, JobLog, JobStatus, LogLevel, WebhookDelivery, WebhookEndpoint

# Other documents' words for the canonical statuses (API_CONVENTIONS.md, "Jobs").
STATUS_ALIASES = {"final_ready": JobStatus.COMPLETED, "running": JobStatus.PROCESSING}


# The sorts of every job listing (GET /jobs, GET /projects/:id/jobs).
JOB_SORT_FIELDS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "status": "status",
    "priority": "priority",
    "progress": "progress",
    "type": "type",
}


class JobFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(method="filter_status")
    type = django_filters.CharFilter()
    project_id = django_filters.CharFilter()
    scene_id = django_filters.CharFilter()

    class Meta:
        model = Job
        fields = ["status", "type", "project_id", "scene_id"]

    def filter_status(self, queryset: QuerySet[Job], name: str, value: str) -> QuerySet[Job]:
        wanted = STATUS_ALIASES.get(value.lower(), value.lower())
        if wanted not in JobStatus.values:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(JobStatus.values)}."
            )
        return queryset.filter(status=wanted)


class OwnJobMixin:
    """Another user's job answers 404."""

    def get_job(self, request: AuthenticatedRequest, job_id: str) -> Job:
        job = selectors.job_detail_for(user=request.user, job_id=job_id)
        if job is None:
            raise NotFound("Job not found")
        return job


class JobListView(GenericAPIView):
    """GET /jobs: the caller's jobs."""

    serializer_class = s.JobSerializer
    filterset_class = JobFilter
    sort_fields = JOB_SORT_FIELDS
    default_sort = "created_at"

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.job_list_for(user=self.request.user).prefetch_related("stages")

    @extend_schema(
        operation_id="jobs_list",
        summary="The caller's jobs",
        tags=["jobs"],
        responses={200: s.JobSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        data = s.JobSerializer(page, many=True, context=selectors.job_context(page)).data
        return self.get_paginated_response(data)


class JobDetailView(OwnJobMixin, GenericAPIView):
    """GET /jobs/:id and PATCH /jobs/:id (priority while waiting)."""

    serializer_class = s.JobUpdateSerializer
    schema_errors = (409,)

    @extend_schema(
        operation_id="jobs_get",
        summary="A job, with its latest log lines",
        tags=["jobs"],
        responses={200: s.JobDetailSerializer},
    )
    def get(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = self.get_job(request, job_id)
        return ApiResponse(s.JobDetailSerializer(job, context=selectors.job_context([job])).data)

    @extend_schema(
        operation_id="jobs_update",
        summary="Change what an owner may: the priority while the job waits",
        tags=["jobs"],
        responses={200: s.JobSerializer},
    )
    def patch(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = self.get_job(request, job_id)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_update(job=job, priority=data.validated_data.get("priority"))
        return ApiResponse(
            s.JobSerializer(job, context=selectors.job_context([job])).data, message="Job updated"
        )


class JobProgressView(OwnJobMixin, GenericAPIView):
    """GET /jobs/:id/progress: stages and the WebSocket to follow the job live."""

    serializer_class = s.JobProgressSerializer

    @extend_schema(
        operation_id="jobs_progress", summary="A job's stages and its WebSocket URL", tags=["jobs"]
    )
    def get(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = self.get_job(request, job_id)
        scheme = "wss" if request.is_secure() else "ws"
        data = {
            "id": job.pk,
            "status": job.status,
            "stage": job.stage,
            "progress": job.progress,
            "message": job.message,
            "stages": job.stages.all(),
            "ws_url": f"{scheme}://{request.get_host()}/ws/jobs/{job.pk}",
        }
        return ApiResponse(s.JobProgressSerializer(data).data)


class JobLogsView(OwnJobMixin, GenericAPIView):
    """GET /jobs/:id/logs (`level`, paging 50 by default, up to 200)."""

    serializer_class = s.JobLogSerializer
    pagination_class = LogPagination
    queryset = JobLog.objects.none()  # the schema's model; the view reads the job's own log

    @extend_schema(
        operation_id="jobs_logs",
        summary="A job's log",
        tags=["jobs"],
        responses={200: s.JobLogSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, job_id: str) -> Response:
        job = self.get_job(request, job_id)
        level = request.query_params.get("level")
        level = level.lower() if level else level
        if level == "warning":
            level = LogLevel.WARN
        if level is not None and level not in LogLevel.values:
            raise ValidationFailed.for_field(
                "level", f"Must be one of: {', '.join(LogLevel.values)}."
            )
        page = self.paginate_queryset(selectors.job_logs(job=job, level=level)) or []
        return self.get_paginated_response(s.JobLogSerializer(page, many=True).data)


class JobCancelView(OwnJobMixin, GenericAPIView):
    """POST /jobs/:id/cancel."""

    serializer_class = s.JobSerializer
    schema_errors = (409,)

    @extend_schema(
        operation_id="jobs_cancel",
        request=None,
        tags=["jobs"],
        summary="Cancel a job; a running one stops at its next step",
        responses={200: s.JobSerializer},
    )
    def post(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = services.job_cancel(job=self.get_job(request, job_id))
        return ApiResponse(s.JobSerializer(job).data, message="Job cancelled successfully")


class JobRetryView(OwnJobMixin, GenericAPIView):
    """POST /jobs/:id/retry, optionally with `modifiedText` or `retryParameters`."""

    serializer_class = s.JobRetrySerializer
    schema_errors = (402, 409)

    @extend_schema(
        operation_id="jobs_retry",
        tags=["jobs"],
        summary="Queue a failed job again (up to maxRetries)",
        responses={202: s.JobSerializer},
    )
    def post(self, request: AuthenticatedRequest, job_id: str) -> ApiResponse:
        job = self.get_job(request, job_id)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_retry(
            job=job,
            modified_text=data.validated_data.get("modified_text"),
            retry_parameters=data.validated_data.get("retry_parameters"),
        )
        body = {**s.JobSerializer(job).data, "original_job_id": job.pk}
        return ApiResponse(
            body, status=status.HTTP_202_ACCEPTED, message="Job requeued for processing"
        )


class EstimateCostView(GenericAPIView):
    """POST /jobs/estimate-cost (the film job API's shape, or `type` + `parameters`)."""

    serializer_class = s.CostEstimateRequestSerializer

    @extend_schema(
        operation_id="jobs_estimate_cost",
        tags=["jobs"],
        summary="What a job would cost, with its breakdown",
        responses={200: s.CostEstimateSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields.get("type"):
            try:
                job_type = registry.get(fields["type"])
            except LookupError:
                raise ValidationFailed.for_field(
                    "type", f"Must be one of: {', '.join(registry.names())}."
                ) from None
            try:
                estimate = job_type.estimate(fields.get("parameters", {}))
            except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
                # The parameters come from the client: a type that cannot price them says so.
                raise ValidationFailed.for_field(
                    "parameters", f"These parameters cannot be priced: {exc}"
                ) from None
        else:
            estimate = film_estimate(
                num_images=fields["num_images"],
                video_duration=fields["video_duration"],
                include_voice=fields["include_voice"],
                include_music=fields["include_music"],
            )
        total = Decimal(estimate.total)
        return ApiResponse(
            {"estimated_cost": float(total), "breakdown": as_money(estimate.breakdown)}
        )


class SignedUrlView(GenericAPIView):
    """POST /jobs/signed-url: a signed, expiring download URL for a job's output file."""

    serializer_class = s.SignedUrlRequestSerializer
    schema_errors = (404, 409)

    @extend_schema(
        operation_id="jobs_signed_url",
        tags=["jobs"],
        summary="A signed download URL of a finished job's file",
        responses={200: s.SignedUrlSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = selectors.job_get_for(user=request.user, job_id=data.validated_data["job_id"])
        if job is None:
            raise NotFound("Job not found")
        name = selectors.latest_output_file(job)
        if job.status != JobStatus.COMPLETED or name is None:
            raise Conflict("This job has no output file to download yet")
        url, expires = signed_url(name, request=request._request)
        return ApiResponse(s.SignedUrlSerializer({"url": url, "expires_at": expires}).data)


# --- webhooks ------------------------------------------------------------------------------


class WebhookListView(GenericAPIView):
    """GET/POST /webhooks: the caller's endpoints."""

    serializer_class = s.WebhookEndpointInputSerializer

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoints_for(user=self.request.user)

    @extend_schema(
        operation_id="webhooks_list",
        tags=["webhooks"],
        summary="Webhook endpoints",
        responses={200: s.WebhookEndpointSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response(s.WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        tags=["webhooks"],
        summary="Register an endpoint; the answer holds its signing secret",
        responses={201: s.WebhookEndpointWithSecretSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = WebhookEndpoint.objects.create(
            owner=request.user,
            url=data.validated_data["url"],
            description=data.validated_data.get("description", ""),
            events=data.validated_data.get("events", ["job.*", "generation.*"]),
            is_active=data.validated_data.get("is_active", True),
            secret=webhooks.new_secret(),
        )
        return ApiResponse(
            s.WebhookEndpointWithSecretSerializer(endpoint).data,
            status=status.HTTP_201_CREATED,
            message="Webhook endpoint created",
        )


class OwnEndpointMixin:
    def get_endpoint(self, request: AuthenticatedRequest, endpoint_id: str) -> WebhookEndpoint:
        endpoint = selectors.webhook_endpoints_for(user=request.user).filter(pk=endpoint_id).first()
        if endpoint is None:
            raise NotFound("Webhook endpoint not found")
        return endpoint


class WebhookDetailView(OwnEndpointMixin, GenericAPIView):
    """GET/PUT/PATCH/DELETE /webhooks/:id."""

    serializer_class = s.WebhookEndpointInputSerializer

    @extend_schema(
        operation_id="webhooks_get",
        tags=["webhooks"],
        summary="An endpoint",
        responses={200: s.WebhookEndpointWithSecretSerializer},
    )
    def get(self, request: AuthenticatedRequest, endpoint_id: str) -> ApiResponse:
        endpoint = self.get_endpoint(request, endpoint_id)
        return ApiResponse(s.WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_update",
        tags=["webhooks"],
        summary="Change an endpoint (partial)",
        responses={200: s.WebhookEndpointWithSecretSerializer},
    )
    def put(self, request: AuthenticatedRequest, endpoint_id: str) -> ApiResponse:
        endpoint = self.get_endpoint(request, endpoint_id)
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(endpoint, field, value)
        endpoint.save()
        return ApiResponse(
            s.WebhookEndpointWithSecretSerializer(endpoint).data, message="Webhook endpoint updated"
        )

    @extend_schema(
        operation_id="webhooks_partial_update",
        tags=["webhooks"],
        summary="Change an endpoint",
        responses={200: s.WebhookEndpointWithSecretSerializer},
    )
    def patch(self, request: AuthenticatedRequest, endpoint_id: str) -> ApiResponse:
        return self.put(request, endpoint_id)

    @extend_schema(
        operation_id="webhooks_delete",
        tags=["webhooks"],
        summary="Remove an endpoint",
        responses={200: message_only("WebhookDeleted")},
    )
    def delete(self, request: AuthenticatedRequest, endpoint_id: str) -> ApiResponse:
        self.get_endpoint(request, endpoint_id).delete()
        return ApiResponse(
            {"message": "Webhook endpoint deleted"}, message="Webhook endpoint deleted"
        )


class WebhookDeliveriesView(OwnEndpointMixin, GenericAPIView):
    """GET /webhooks/:id/deliveries: what was sent, with every try."""

    serializer_class = s.WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()  # the schema's model

    @extend_schema(
        operation_id="webhooks_deliveries",
        tags=["webhooks"],
        summary="An endpoint's deliveries and their tries",
        responses={200: s.WebhookDeliverySerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, endpoint_id: str) -> Response:
        endpoint = self.get_endpoint(request, endpoint_id)
        page = self.paginate_queryset(selectors.webhook_deliveries(endpoint=endpoint)) or []
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)


class WebhookReplayView(OwnEndpointMixin, GenericAPIView):
    """POST /webhooks/:id/deliveries/:deliveryId/replay."""

    serializer_class = s.WebhookDeliverySerializer

    @extend_schema(
        operation_id="webhooks_replay",
        tags=["webhooks"],
        request=None,
        summary="Send a delivery again",
        responses={202: s.WebhookDeliverySerializer},
    )
    def post(
        self, request: AuthenticatedRequest, endpoint_id: str, delivery_id: str
    ) -> ApiResponse:
        endpoint = self.get_endpoint(request, endpoint_id)
        delivery = endpoint.deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound("Delivery not found")
        webhooks.replay(delivery)
        delivery.refresh_from_db()
        return ApiResponse(
            s.WebhookDeliverySerializer(delivery).data,
            status=status.HTTP_202_ACCEPTED,
            message="Delivery queued again",
        )
