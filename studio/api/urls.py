from __future__ import annotations

from django.urls import path

from config.api.routes import route
from studio.api import views

urlpatterns = [
    # Before the jobs app's urls: this view adds POST (the film job) to GET /jobs.
    route("jobs", views.JobCollectionView.as_view(), "jobs-collection"),
    route("ai/text", views.TextView.as_view(), "ai-text"),
    route("ai/image", views.ImageView.as_view(), "ai-image"),
    route("ai/video", views.VideoProcessingView.as_view(), "ai-video"),
    route("ai/audio", views.AudioProcessingView.as_view(), "ai-audio"),
    route("ai/models", views.ModelListView.as_view(), "ai-models"),
    route("ai/models/<model_id>", views.ModelDetailView.as_view(), "ai-model"),
    route("ai/models/<model_id>/optimize", views.ModelOptimizeView.as_view(), "ai-model-optimize"),
    route("generate/video", views.GenerateVideoView.as_view(), "generate-video"),
    route("generate/status/<job_id>", views.GenerationStatusView.as_view(), "generate-status"),
    route("generate/clip/<clip_id>", views.ClipView.as_view(), "generate-clip"),
    route("templates", views.TemplateListView.as_view(), "templates"),
    route("templates/<template_id>", views.TemplateDetailView.as_view(), "template"),
    route("templates/<template_id>/use", views.TemplateUseView.as_view(), "template-use"),
    path(
        "templates/<template_id>/thumbnail.jpg",
        views.template_thumbnail,
        name="template-thumbnail",
    ),
]
