"""The browser pages through Django's test client: what each page shows, that every write
goes through the API's services and rules (same errors, same permissions), and that errors
are pages in the platform's look outside /api/ and the JSON envelope inside it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from catalog.models import Idea
from jobs.models import Job
from moderation.models import Report
from projects.models import Collaborator, Invitation
from scenes.models import Scene
from tests.catalog.factories import CategoryFactory, IdeaFactory
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory
from tests.scenes.factories import SceneFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_home_shows_the_platform_its_scenes_and_topics_to_a_visitor(client):
    scene = SceneFactory(title="The Signal", like_count=5)
    SegmentFactory(scene=scene)
    page = client.get("/")
    assert page.status_code == 200
    body = text(page)
    assert "Stories you grow together" in body
    assert "The Signal" in body and f"/scenes/{scene.pk}/" in body
    assert scene.topic.name in body
    assert "Sign in" in body and "Sign up" in body


def test_the_header_shows_the_signed_in_users_menu_and_studio(browser, user):
    body = text(browser.get("/"))
    assert user.name in body and "Sign out" in body and "/studio/" in body
    assert "/my/" in body


def test_a_missing_page_is_a_page_and_a_missing_api_path_stays_json(client):
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Page not found" in text(page) and "Traceback" not in text(page)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "NOT_FOUND"


def test_a_private_job_of_another_user_is_not_found(browser, other_user):
    scene = SceneFactory(creator=other_user)
    job = Job.objects.create(type="scene_creation", owner=other_user, scene_id=scene.pk, input={})
    assert browser.get(f"/my/jobs/{job.pk}/").status_code == 404


def test_pages_for_signed_in_users_send_visitors_to_sign_in(client):
    for path in ("/my/", "/my/jobs/", "/account/", "/ideas/new/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/signin/"), path


def test_sign_up_opens_a_session_and_a_taken_email_is_shown_on_its_field(client, user):
    taken = client.post(
        "/signup/",
        {"email": user.email, "username": "someone_new", "password": PASSWORD},
    )
    assert taken.status_code == 400
    assert "already exists" in text(taken)
    created = client.post(
        "/signup/",
        {"email": "new@example.com", "username": "newwriter", "password": PASSWORD},
    )
    assert created.status_code == 302
    assert User.objects.filter(email="new@example.com", username="newwriter").exists()
    assert "newwriter" in text(client.get("/"))


def test_sign_in_checks_the_password_and_sign_out_ends_the_session(client, user):
    wrong = client.post("/signin/", {"email": user.email, "password": "not-it"})
    assert wrong.status_code == 400 and "Invalid" in text(wrong)
    right = client.post("/signin/", {"email": user.email, "password": PASSWORD, "next": "/ideas/"})
    assert right.status_code == 302 and right["Location"] == "/ideas/"
    assert client.get("/my/").status_code == 200
    client.post("/signout/")
    assert client.get("/my/").status_code == 302


def test_sign_in_never_redirects_to_another_site(client, user):
    response = client.post(
        "/signin/", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_banned_account_cannot_sign_in(client):
    banned = UserFactory(status="banned", is_active=False)
    response = client.post("/signin/", {"email": banned.email, "password": PASSWORD})
    assert response.status_code == 400 and "banned" in text(response)
    assert client.get("/my/").status_code == 302


def test_password_reset_mails_a_link_whose_page_sets_the_new_password(
    client, user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = client.get("/accounts/password_reset/")
    assert page.status_code == 200 and "StoryForge" in text(page) and "admin" not in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/password_reset/", {"email": user.email})
    assert sent["Location"] == "/accounts/password_reset/done/"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    mismatch = client.post(path, {"new_password": "N3w-Passw0rd!x", "confirm": "other"})
    assert mismatch.status_code == 400
    done = client.post(path, {"new_password": "N3w-Passw0rd!x", "confirm": "N3w-Passw0rd!x"})
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("N3w-Passw0rd!x")
    again = client.post(path, {"new_password": "An0ther-Pass!", "confirm": "An0ther-Pass!"})
    assert again.status_code == 400 and "invalid or has expired" in text(again)


def test_an_idea_is_submitted_and_its_page_shows_its_moderation_state(browser, user):
    category = CategoryFactory()
    response = browser.post(
        "/ideas/new/",
        {
            "title": "The Memory Merchant",
            "prompt": "Memories are bought and sold.",
            "category_id": category.pk,
            "tags": "memory, noir",
        },
    )
    assert response.status_code == 302, text(response)
    idea = Idea.objects.get(title="The Memory Merchant")
    assert (idea.author, idea.topic, idea.tags) == (user, category.topic, ["memory", "noir"])
    page = text(browser.get(response["Location"]))
    assert "The Memory Merchant" in page
    if idea.moderation_status != "approved":
        assert "Moderation" in page


def test_ideas_use_the_apis_filters(client):
    wanted = IdeaFactory(title="Wanted idea")
    IdeaFactory(title="Other idea")
    body = text(client.get("/ideas/", {"topic_id": wanted.topic_id, "sort": "popular"}))
    assert "Wanted idea" in body and "Other idea" not in body


def test_the_scene_page_lists_segments_with_contributors_and_a_continue_form(client, user):
    scene = SceneFactory(title="The Signal", segment_count=2, total_duration=20)
    SegmentFactory(scene=scene, contributor=user, sequence=1)
    SegmentFactory(scene=scene, sequence=2)
    body = text(client.get(f"/scenes/{scene.pk}/"))
    assert "Segment 1" in body and "Segment 2" in body and user.name in body
    assert 'id="scene-playlist"' in body and "vendor/hls/hls.min.js" in body
    assert "/bible/" in body


def test_the_bible_page_shows_characters_with_aliases_and_its_versions(client):
    scene = SceneFactory()
    body = text(client.get(f"/scenes/{scene.pk}/bible/"))
    assert "Maya Chen" in body and "Captain Chen" in body and "Starship Horizon" in body
    assert "Version 1" in body
    assert client.get(f"/scenes/{scene.pk}/bible/", {"version": 9}).status_code == 404


def test_a_stale_continuation_says_someone_else_continued_and_keeps_the_text(browser):
    scene = SceneFactory(bible_version=2, segment_count=1)
    SegmentFactory(scene=scene)
    response = browser.post(
        f"/scenes/{scene.pk}/continue/", {"continuation_text": "Kai ran.", "bible_version": 1}
    )
    assert response.status_code == 409
    body = text(response)
    assert "Someone else continued this scene first" in body
    assert "Kai ran." in body and 'name="bible_version" value="2"' in body
    assert not Job.objects.exists()


def test_a_continuation_queues_the_apis_job_and_follows_it(browser, user):
    scene = SceneFactory(segment_count=1)
    SegmentFactory(scene=scene)
    response = browser.post(
        f"/scenes/{scene.pk}/continue/", {"continuation_text": "Maya smiled.", "bible_version": 1}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/my/jobs/{job.pk}/"
    assert (job.owner, job.type, job.scene_id) == (user, "scene_continuation", scene.pk)
    page = text(browser.get(response["Location"]))
    assert 'data-job-id="' + job.pk + '"' in page and "script_expansion".replace(
        "_", ""
    ) in page.lower().replace(" ", "")
    assert Scene.objects.get(pk=scene.pk).held_by_job == job.pk


def test_a_report_from_the_scene_page_reaches_the_moderation_queue(browser, user):
    scene = SceneFactory()
    segment = SegmentFactory(scene=scene)
    response = browser.post(
        f"/scenes/{scene.pk}/report/",
        {"target": f"segment:{segment.pk}", "reason": "spam", "description": "Ads"},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.target_type, report.target_id, report.reason) == (
        user,
        "segment",
        segment.pk,
        "spam",
    )
    twice = browser.post(
        f"/scenes/{scene.pk}/report/", {"target": f"segment:{segment.pk}", "reason": "spam"}
    )
    assert twice.status_code == 400 and "already reported" in text(twice)


def test_liking_a_scene_toggles_through_the_catalog_service(browser):
    scene = SceneFactory()
    browser.post(f"/scenes/{scene.pk}/like/", {"action": "like"})
    assert Scene.objects.get(pk=scene.pk).like_count == 1
    browser.post(f"/scenes/{scene.pk}/like/", {"action": "unlike"})
    assert Scene.objects.get(pk=scene.pk).like_count == 0


def test_forms_without_a_csrf_token_are_refused_with_a_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    scene = SceneFactory()
    response = client.post(f"/scenes/{scene.pk}/like/", {"action": "like"})
    assert response.status_code == 403 and "Form expired" in text(response)
    assert Scene.objects.get(pk=scene.pk).like_count == 0


def test_a_project_is_shared_and_the_emailed_link_accepts_the_invitation(
    browser, user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    created = browser.post("/my/projects/new/", {"title": "Pilot", "description": ""})
    assert created.status_code == 302
    project_url = created["Location"]
    invited = UserFactory(email="friend@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(project_url, {"email": invited.email, "role": "collaborator"})
    assert sent.status_code == 302, text(sent)
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert browser.get(path).status_code == 404  # the inviter is not the invited address
    friend = Client()
    friend.force_login(invited)
    assert "Pilot" in text(friend.get(path))
    joined = friend.post(path, {"answer": "accept"})
    assert joined["Location"] == project_url
    assert Collaborator.objects.filter(user=invited, role="collaborator").exists()
    assert Invitation.objects.get().status == "accepted"
    assert friend.get(project_url).status_code == 200


def test_a_project_another_user_cannot_see_is_not_found(browser, other_user):
    project = ProjectFactory(owner=other_user)
    assert browser.get(f"/my/projects/{project.pk}/").status_code == 404


def test_a_viewer_cannot_invite(browser, user, other_user):
    project = ProjectFactory(owner=other_user)
    Collaborator.objects.create(project=project, user=user, role="viewer")
    assert browser.get(f"/my/projects/{project.pk}/").status_code == 200
    response = browser.post(
        f"/my/projects/{project.pk}/", {"email": "x@example.com", "role": "viewer"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_favicon_and_static_pages_are_served(client):
    assert client.get("/favicon.ico")["Location"].endswith("favicon.svg")


def test_a_failing_page_is_the_sites_500_page_without_a_stack_trace(monkeypatch):
    from web.views import catalog

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(catalog.catalog_selectors, "topic_list", broken)
    response = Client(raise_request_exception=False).get("/browse/")
    assert response.status_code == 500
    body = text(response)
    assert "Something went wrong" in body
    assert "RuntimeError" not in body and "Traceback" not in body
