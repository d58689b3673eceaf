from __future__ import annotations

from catalog.api import views
from config.api.routes import route

urlpatterns = [
    route("topics", views.TopicListView.as_view(), "topics"),
    route("topics/<topic_id>", views.TopicDetailView.as_view(), "topic"),
    route("categories", views.CategoryListView.as_view(), "categories"),
    route("ideas", views.IdeaListView.as_view(), "ideas"),
    route("ideas/<idea_id>", views.IdeaDetailView.as_view(), "idea"),
    route("ideas/<idea_id>/like", views.IdeaLikeView.as_view(), "idea-like"),
]
