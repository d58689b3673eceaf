"""The browser pages' routes (namespace `web`). The password-reset pages keep Django's
names (`password_reset`, ...), which the e-mailed links and templates use; they are routed in
config/urls.py at their historical paths."""

from __future__ import annotations

from django.urls import path

from web.views import accounts, catalog, scenes, work

app_name = "web"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("browse/", catalog.browse, name="browse"),
    path("topics/<str:topic_id>/", catalog.topic, name="topic"),
    path("ideas/", catalog.ideas, name="ideas"),
    path("ideas/new/", catalog.idea_submit, name="idea-submit"),
    path("ideas/<str:idea_id>/", catalog.idea, name="idea"),
    path("ideas/<str:idea_id>/scenes/new/", scenes.scene_create, name="scene-create"),
    path("scenes/", catalog.scenes, name="scenes"),
    path("scenes/<str:scene_id>/", scenes.scene, name="scene"),
    path("scenes/<str:scene_id>/bible/", scenes.bible, name="bible"),
    path("scenes/<str:scene_id>/like/", scenes.like, name="scene-like"),
    path("scenes/<str:scene_id>/report/", scenes.report, name="scene-report"),
    path("scenes/<str:scene_id>/continue/", scenes.continue_scene, name="scene-continue"),
    path("signin/", accounts.sign_in, name="signin"),
    path("signup/", accounts.sign_up, name="signup"),
    path("signout/", accounts.sign_out, name="signout"),
    path("account/", accounts.profile, name="profile"),
    path("my/", work.my_work, name="my-work"),
    path("my/projects/new/", work.project_create, name="project-create"),
    path("my/projects/<str:project_id>/", work.project, name="project"),
    path("my/jobs/", work.jobs, name="jobs"),
    path("my/jobs/<str:job_id>/", work.job, name="job"),
    path("my/jobs/<str:job_id>/cancel/", work.job_cancel, name="job-cancel"),
    path("my/jobs/<str:job_id>/retry/", work.job_retry, name="job-retry"),
    path("invitations/<str:token>/", work.invitation, name="invitation"),
]

# The e-mailed password-reset link's pages, under the names Django's auth uses.
password_reset_urls = [
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/password_reset/done/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
]
