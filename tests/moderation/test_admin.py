"""The moderation console: pages load for moderators, one-click and bulk actions call the
services, and moderators have exactly the permissions they need."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.test import Client
from django.utils.html import escape

from accounts.models import MODERATORS_GROUP, AccountStatus
from accounts.services import admin_user_update
from config.api import ids
from moderation.choices import ModerationStatus
from moderation.models import ActionType, ModerationAction, Report, ReportStatus
from moderation.permissions import moderator_permissions
from studio.models import Clip
from tests.catalog.factories import IdeaFactory, TopicFactory
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.moderation.conftest import IDEAS, report

pytestmark = pytest.mark.django_db

QUEUE_ADMIN = "/admin/moderation/report/"


@pytest.fixture
def console(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def reported(user_api, idea) -> Report:
    report_id = report(user_api, "idea", idea.pk, "harassment", description="Mean").json()["data"][
        "reportId"
    ]
    return Report.objects.get(pk=report_id)


@pytest.mark.parametrize(
    "path",
    [
        QUEUE_ADMIN,
        f"{QUEUE_ADMIN}?status=all",
        f"{QUEUE_ADMIN}?status=resolved&reason__exact=spam&target_type__exact=idea&age=24h",
        f"{QUEUE_ADMIN}?age=older&q=lighthouse",
        "/admin/moderation/moderationaction/?reversed=no",
        "/admin/moderation/moderationwarning/",
        "/admin/moderation/moderateduser/?account=banned",
        "/admin/moderation/moderateduser/?account=warned&q=user",
        "/admin/catalog/topic/?review=pending",
        "/admin/catalog/idea/",
    ],
)
def test_the_console_pages_load_for_a_moderator(console, reported, path):
    response = console.get(path)
    assert response.status_code == 200, path


def test_a_report_shows_the_content_in_place_with_the_owners_record(console, reported, idea):
    response = console.get(f"{QUEUE_ADMIN}{quote(reported.pk)}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(idea.prompt) in page and escape(idea.title) in page
    assert "Mean" in page  # the report's description, in the list of reports on it
    assert f"@{idea.author.username}" in page
    for action in ("dismiss", "warn_user", "remove_content", "ban_user"):
        assert f'value="{action}"' in page
    assert 'name="_save"' not in page  # a report is not edited, it is acted on


def test_a_clip_report_shows_a_video_player_with_a_signed_url(console, client_for):
    owner = UserFactory()
    clip = Clip.objects.create(
        owner=owner,
        title="Sunset",
        prompt="A sunset",
        duration=2,
        width=320,
        height=180,
        fps=12,
        file_size=1,
        video_file="outputs/x/video.mp4",
        hls_playlist="outputs/x/master.m3u8",
        thumbnail_file="outputs/x/thumb.jpg",
        poster_file="outputs/x/poster.jpg",
    )
    response = report(client_for(owner), "clip", clip.pk, "copyright_violation")
    assert response.status_code == 201, response.content
    page = console.get(f"{QUEUE_ADMIN}{quote(response.json()['data']['reportId'])}/change/")
    assert "<video" in page.content.decode() and "/files/" in page.content.decode()
    # Signed for the host the moderator reached, not PUBLIC_BASE_URL.
    assert 'src="http://testserver/files/' in page.content.decode()


def test_a_report_made_through_the_api_is_acted_on_in_the_admin_with_effect_in_the_api(
    console, reported, idea, api
):
    response = console.post(
        f"{QUEUE_ADMIN}{quote(reported.pk)}/act/",
        {"moderation_action": "remove_content", "moderation_notes": "Abusive"},
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.status, reported.action.action) == (ReportStatus.RESOLVED, "remove_content")
    assert reported.action.notes == "Abusive"
    assert_error(api.get(f"{IDEAS}/{idea.pk}"), 404, "NOT_FOUND")


def test_the_queue_row_buttons_act_in_one_click(console, reported):
    page = console.get(QUEUE_ADMIN).content.decode()
    assert f'formaction="/admin/moderation/report/{quote(reported.pk)}/act/"' in page
    console.post(f"{QUEUE_ADMIN}{quote(reported.pk)}/act/", {"moderation_action": "dismiss"})
    assert Report.objects.get(pk=reported.pk).action.action == "dismiss"


def test_bulk_actions_act_once_per_target_with_the_notes(console, client_for):
    ideas = [IdeaFactory(), IdeaFactory()]
    reports = [
        report(client_for(UserFactory()), "idea", idea.pk).json()["data"]["reportId"]
        for idea in ideas
        for _ in range(2)
    ]
    response = console.post(
        QUEUE_ADMIN,
        {"action": "remove_content", "_selected_action": reports, "notes": "Spam wave"},
    )
    assert response.status_code == 302
    removals = ModerationAction.objects.filter(action=ActionType.REMOVE_CONTENT)
    assert removals.count() == 2
    assert set(removals.values_list("notes", flat=True)) == {"Spam wave"}
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.moderation_status == ModerationStatus.REMOVED
    assert not Report.objects.filter(status=ReportStatus.PENDING).exists()


def test_an_action_is_reversed_from_the_audit_log(console, reported, idea):
    console.post(f"{QUEUE_ADMIN}{quote(reported.pk)}/act/", {"moderation_action": "remove_content"})
    removal = ModerationAction.objects.get()
    page = console.get(f"/admin/moderation/moderationaction/{quote(removal.pk)}/change/")
    assert "Reverse" in page.content.decode()
    console.post(
        f"/admin/moderation/moderationaction/{quote(removal.pk)}/reverse/",
        {"moderation_notes": "Appeal"},
    )
    idea.refresh_from_db()
    assert idea.moderation_status == ModerationStatus.APPROVED
    assert ModerationAction.objects.get(reverses=removal).notes == "Appeal"


def test_users_are_banned_and_unbanned_from_the_moderation_user_list(console):
    target = UserFactory()
    changelist = "/admin/moderation/moderateduser/"
    console.post(
        changelist, {"action": "ban_users", "_selected_action": [target.pk], "notes": "Spammer"}
    )
    target.refresh_from_db()
    assert target.status == AccountStatus.BANNED
    banned = console.get(f"{changelist}?account=banned").content.decode()
    assert target.username in banned
    console.post(changelist, {"action": "lift_bans", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.status == AccountStatus.ACTIVE


def test_pending_topic_suggestions_are_approved_by_a_moderator(console):
    suggestion = TopicFactory(status="pending", is_curated=False, suggested_by=UserFactory())
    console.post(
        "/admin/catalog/topic/", {"action": "approve", "_selected_action": [suggestion.pk]}
    )
    suggestion.refresh_from_db()
    assert suggestion.status == "approved"


def test_the_report_queue_links_to_the_catalogs_review_queues_with_their_counts(console):
    TopicFactory(status="pending", is_curated=False, suggested_by=UserFactory())
    IdeaFactory(moderation_status=ModerationStatus.FLAGGED)
    IdeaFactory(moderation_status=ModerationStatus.PENDING)
    IdeaFactory(moderation_status=ModerationStatus.APPROVED)

    page = console.get(QUEUE_ADMIN).content.decode()

    assert (
        '<a href="/admin/catalog/topic/?review=pending">Pending topic suggestions (1)</a>' in page
    )
    assert '<a href="/admin/catalog/idea/">Ideas awaiting review (2)</a>' in page


# --- permission boundaries ----------------------------------------------------------------


def test_moderators_cannot_edit_users_passwords_groups_or_reports(console, reported):
    someone = UserFactory()
    for path in (
        f"/admin/accounts/user/{quote(someone.pk)}/change/",
        f"/admin/accounts/user/{quote(someone.pk)}/password/",
        "/admin/auth/group/",
        f"{QUEUE_ADMIN}add/",
        f"{QUEUE_ADMIN}{quote(reported.pk)}/delete/",
        f"/admin/moderation/moderateduser/{quote(someone.pk)}/delete/",
    ):
        assert console.get(path).status_code == 403, path
    password = console.post(
        f"/admin/accounts/user/{quote(someone.pk)}/password/",
        {"password1": "N3w-passw0rd!", "password2": "N3w-passw0rd!"},
    )
    assert password.status_code == 403
    # The moderation view of a user is read-only: no form field can change them.
    page = console.get(
        f"/admin/moderation/moderateduser/{quote(someone.pk)}/change/"
    ).content.decode()
    assert 'name="password' not in page and 'name="role"' not in page


def test_users_without_the_moderator_role_are_kept_out_of_the_console(user, reported):
    client = Client()
    client.force_login(user)
    assert client.get(QUEUE_ADMIN).status_code == 302  # to the admin's login
    assert client.post(f"{QUEUE_ADMIN}{quote(reported.pk)}/act/", {"moderation_action": "dismiss"})
    assert Report.objects.get(pk=reported.pk).status == ReportStatus.PENDING


def test_the_moderators_group_has_exactly_the_permissions_they_need():
    group = Group.objects.get(name=MODERATORS_GROUP)
    granted = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    # Everything in the list that exists (scenes' permissions once the scenes app has models).
    assert granted <= set(moderator_permissions())
    assert ("moderation", "act_on_report") in granted and ("catalog", "view_idea") in granted
    # Each app's content, as the app registered it (catalog, scenes, studio).
    assert {("scenes", "view_segment"), ("studio", "view_clip"), ("jobs", "view_job")} <= granted
    assert not {codename for _, codename in granted if codename.startswith(("add_", "delete_"))}
    assert ("accounts", "change_user") not in granted


def test_making_someone_a_moderator_puts_them_in_the_group_and_taking_it_away_removes_them(
    admin_user,
):
    someone = UserFactory()
    admin_user_update(user=someone, actor=admin_user, data={"role": "moderator"})
    assert someone.is_staff and someone.groups.filter(name=MODERATORS_GROUP).exists()
    assert someone.has_perm("moderation.act_on_report")
    admin_user_update(user=someone, actor=admin_user, data={"role": "user"})
    someone = type(someone).objects.get(pk=someone.pk)  # a fresh permission cache
    assert not someone.is_staff and not someone.has_perm("moderation.act_on_report")


def test_ids_that_look_like_admin_escapes_open_and_act(console, user_api, idea, monkeypatch):
    # The admin writes `_` as `_5F` in its URLs and reads `_3F` back as `?`: an id such as
    # `rpt_3F…` only works through quote() on the way out and unquote() on the way in.
    monkeypatch.setattr(ids, "new_id", lambda prefix: f"{prefix}_3F{secrets.token_hex(8)}")
    report_id = report(user_api, "idea", idea.pk).json()["data"]["reportId"]
    assert report_id.startswith("rpt_3F")
    act_url = f"{QUEUE_ADMIN}{quote(report_id)}/act/"
    assert f'formaction="{act_url}"' in console.get(QUEUE_ADMIN).content.decode()
    console.post(act_url, {"moderation_action": "remove_content"})
    removal = ModerationAction.objects.get()
    assert removal.pk.startswith("mod_3F")

    report_page = console.get(f"{QUEUE_ADMIN}{quote(report_id)}/change/")
    assert report_page.status_code == 200
    action_url = f"/admin/moderation/moderationaction/{quote(removal.pk)}/change/"
    assert action_url in report_page.content.decode()
    action_page = console.get(action_url)
    assert action_page.status_code == 200
    assert "Reverse" in action_page.content.decode()
    console.post(
        f"/admin/moderation/moderationaction/{quote(removal.pk)}/reverse/",
        {"moderation_notes": "Appeal"},
    )
    idea.refresh_from_db()
    assert idea.moderation_status == ModerationStatus.APPROVED
