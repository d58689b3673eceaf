from __future__ import annotations

from config.api.routes import route
from jobs.api import views

urlpatterns = [
    route("jobs", views.JobListView.as_view(), "jobs"),
    route("jobs/estimate-cost", views.EstimateCostView.as_view(), "jobs-estimate-cost"),
    route("jobs/signed-url", views.SignedUrlView.as_view(), "jobs-signed-url"),
    route("jobs/<job_id>", views.JobDetailView.as_view(), "job"),
    route("jobs/<job_id>/progress", views.JobProgressView.as_view(), "job-progress"),
    route("jobs/<job_id>/logs", views.JobLogsView.as_view(), "job-logs"),
    route("jobs/<job_id>/cancel", views.JobCancelView.as_view(), "job-cancel"),
    route("jobs/<job_id>/retry", views.JobRetryView.as_view(), "job-retry"),
    route("webhooks", views.WebhookListView.as_view(), "webhooks"),
    route("webhooks/<endpoint_id>", views.WebhookDetailView.as_view(), "webhook"),
    route(
        "webhooks/<endpoint_id>/deliveries",
        views.WebhookDeliveriesView.as_view(),
        "webhook-deliveries",
    ),
    route(
        "webhooks/<endpoint_id>/deliveries/<delivery_id>/replay",
        views.WebhookReplayView.as_view(),
        "webhook-replay",
    ),
]
