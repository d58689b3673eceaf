from __future__ import annotations

from config.api.routes import route
from ops.api import views

urlpatterns = [
    route("health", views.HealthView.as_view(), "health"),
    route("metrics", views.MetricsView.as_view(), "metrics"),
    route("metrics/prometheus", views.PrometheusView.as_view(), "metrics-prometheus"),
    route("logs", views.LogsView.as_view(), "logs"),
]
