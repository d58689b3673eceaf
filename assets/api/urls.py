from __future__ import annotations

from assets.api import views
from config.api.routes import route

urlpatterns = [
    # StoryCore
    route("assets", views.AssetListView.as_view(), "assets"),
    route("assets/upload", views.AssetUploadView.as_view(), "asset-upload"),
    route("assets/search", views.AssetSearchView.as_view(), "asset-search"),
    route("assets/<asset_id>", views.AssetDetailView.as_view(), "asset"),
    route("assets/<asset_id>/download", views.AssetDownloadView.as_view(), "asset-download"),
    route("projects/<project_id>/assets", views.ProjectAssetsView.as_view(), "project-assets"),
    # AI Movie Platform
    route("media", views.MediaListView.as_view(), "media"),
    route("media/upload", views.MediaUploadView.as_view(), "media-upload"),
    route("media/search", views.MediaSearchView.as_view(), "media-search"),
    route("media/<media_id>", views.MediaDetailView.as_view(), "media-item"),
]
