"""Root URLs: the API under /api/v1, its schema and docs, the admin, the browser pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic.base import RedirectView
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api.routes import route
from config.files import serve_signed
from studio.pages import StudioView
from web.urls import password_reset_urls


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, JSON unless YAML is asked for.

    Both the OpenAPI media types and the plain ones answer (`Accept: application/json`,
    `?format=json`, `?format=yaml`), so a client that asks for JSON gets the JSON schema.
    """

    renderer_classes = [
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
    ]


api_v1: list[URLPattern | URLResolver] = [
    path("", include("ops.api.urls")),
    route("schema", SchemaView.as_view(), "schema"),
    path("", include("accounts.api.urls")),
    # Before jobs: studio's view of /jobs adds the film job's POST to the jobs list.
    path("", include("studio.api.urls")),
    path("", include("jobs.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("assets.api.urls")),
    path("", include("chat.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("scenes.api.urls")),
    path("", include("moderation.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema")),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc", SpectacularRedocView.as_view(url_name="schema")),
    path("admin/", admin.site.urls),
    path("files/<str:token>", serve_signed, name="signed-file"),
    # The browser side of password reset: the link in the e-mail opens these pages.
    *password_reset_urls,
    path("favicon.ico", RedirectView.as_view(url="/static/web/favicon.svg", permanent=True)),
    path("studio/", StudioView.as_view(), name="studio"),
    path("", include("web.urls")),
]

# Pages in the platform's look for the browser; the JSON envelope under /api/ (web.errors).
handler400 = "web.errors.bad_request"
handler403 = "web.errors.permission_denied"
handler404 = "web.errors.page_not_found"
handler500 = "web.errors.server_error"
