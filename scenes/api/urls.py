from __future__ import annotations

from config.api.routes import route
from scenes.api import views

urlpatterns = [
    route("scenes", views.SceneListView.as_view(), "scenes"),
    route("scenes/<scene_id>", views.SceneDetailView.as_view(), "scene"),
    route("scenes/<scene_id>/bible", views.SceneBibleView.as_view(), "scene-bible"),
    route(
        "scenes/<scene_id>/bible/versions",
        views.SceneBibleVersionsView.as_view(),
        "scene-bible-versions",
    ),
    route("scenes/<scene_id>/playlist", views.ScenePlaylistView.as_view(), "scene-playlist"),
    route("scenes/<scene_id>/continue", views.SceneContinueView.as_view(), "scene-continue"),
    route("scenes/<scene_id>/like", views.SceneLikeView.as_view(), "scene-like"),
]
