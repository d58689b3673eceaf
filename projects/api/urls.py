from __future__ import annotations

from config.api.routes import route
from projects.api import views

urlpatterns = [
    route("projects", views.ProjectListView.as_view(), "projects"),
    route("projects/<project_id>", views.ProjectDetailView.as_view(), "project"),
    route(
        "projects/<project_id>/duplicate",
        views.ProjectDuplicateView.as_view(),
        "project-duplicate",
    ),
    route("projects/<project_id>/jobs", views.ProjectJobsView.as_view(), "project-jobs"),
    route(
        "projects/<project_id>/collaborators",
        views.ProjectCollaboratorsView.as_view(),
        "project-collaborators",
    ),
    route(
        "projects/<project_id>/collaborators/<user_id>",
        views.ProjectCollaboratorView.as_view(),
        "project-collaborator",
    ),
    route("invitations", views.InvitationListView.as_view(), "invitations"),
    route(
        "invitations/<invitation_id>/accept",
        views.InvitationAcceptView.as_view(),
        "invitation-accept",
    ),
    route(
        "invitations/<invitation_id>/decline",
        views.InvitationDeclineView.as_view(),
        "invitation-decline",
    ),
]
