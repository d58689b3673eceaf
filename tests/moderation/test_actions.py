"""Each action's real effect seen through the API, its audit log entry, and its reversal."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import AccountStatus
from accounts.tokens import issue_token_pair
from jobs.models import Job, JobStatus
from moderation.choices import ModerationStatus
from moderation.models import ModerationAction, ModerationWarning, Report, ReportStatus
from tests.catalog.factories import TopicFactory
from tests.config.test_conventions import assert_error
from tests.factories import PASSWORD, UserFactory
from tests.moderation.conftest import ACTIONS, IDEAS, WARNINGS, action_url, report

pytestmark = pytest.mark.django_db


def act(client, report_id: str, action: str, notes: str = "Checked"):
    response = client.post(action_url(report_id), {"action": action, "notes": notes}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def reverse(client, action_id: str, notes: str = "On appeal"):
    response = client.post(f"{ACTIONS}/{action_id}/reverse", {"notes": notes}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def login(api, user):
    return api.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )


@pytest.fixture
def reported(user_api, idea):
    """An open report on the idea."""
    return report(user_api, "idea", idea.pk, "inappropriate_content").json()["data"]["reportId"]


# --- dismiss ------------------------------------------------------------------------------


def test_dismissing_resolves_every_open_report_on_the_target_and_changes_nothing_else(
    reported, idea, client_for, moderator_api, moderator, api
):
    second = report(client_for(UserFactory()), "idea", idea.pk, "spam").json()["data"]["reportId"]
    data = act(moderator_api, reported, "dismiss", "Not a violation")
    assert (data["id"], data["status"], data["actionTaken"]) == (reported, "resolved", "dismiss")
    assert data["resolvedAt"]
    assert set(data["resolvedReports"]) == {reported, second}
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.RESOLVED}
    assert api.get(f"{IDEAS}/{idea.pk}").status_code == 200
    logged = ModerationAction.objects.get()
    assert (logged.action, logged.moderator, logged.notes) == (
        "dismiss",
        moderator,
        "Not a violation",
    )


def test_reversing_a_dismissal_puts_the_reports_back_in_the_queue(reported, moderator_api):
    done = act(moderator_api, reported, "dismiss")
    reverse(moderator_api, done["action"]["id"])
    assert Report.objects.get(pk=reported).status == ReportStatus.PENDING
    queue = moderator_api.get("/api/v1/moderation/queue").json()["data"]
    assert [row["id"] for row in queue] == [reported]


# --- remove_content -----------------------------------------------------------------------


def test_removed_content_disappears_for_everyone_but_moderators(
    reported, idea, author, client_for, moderator_api, api, user_api
):
    author_api = client_for(author)
    clients = (api, user_api, author_api)

    def listed(client) -> bool:
        everyone = [row["id"] for row in client.get(IDEAS).json()["data"]]
        by_author = client.get(IDEAS, {"userId": author.pk}).json()["data"]
        return idea.pk in everyone or idea.pk in [row["id"] for row in by_author]

    assert all(listed(client) for client in clients)
    act(moderator_api, reported, "remove_content", "Graphic content")
    idea.refresh_from_db()
    assert idea.moderation_status == ModerationStatus.REMOVED
    for client in clients:
        assert_error(client.get(f"{IDEAS}/{idea.pk}"), 404, "NOT_FOUND")
        assert not listed(client)
    assert moderator_api.get(f"{IDEAS}/{idea.pk}").status_code == 200


def test_restoring_removed_content_brings_it_back_as_it_was(reported, idea, moderator_api, api):
    done = act(moderator_api, reported, "remove_content")
    reversal = reverse(moderator_api, done["action"]["id"], "Appeal upheld")
    assert (reversal["action"], reversal["reverses"]) == ("restore_content", done["action"]["id"])
    idea.refresh_from_db()
    assert idea.moderation_status == ModerationStatus.APPROVED
    assert api.get(f"{IDEAS}/{idea.pk}").status_code == 200
    original = ModerationAction.objects.get(pk=done["action"]["id"])
    assert original.reversed_at is not None and original.reversed_by is not None
    again = moderator_api.post(f"{ACTIONS}/{original.pk}/reverse", {}, format="json")
    assert_error(again, 409, "CONFLICT")


def test_removing_a_topic_hides_it_and_restoring_republishes_it(user_api, moderator_api, api):
    topic = TopicFactory()
    report_id = report(user_api, "topic", topic.pk, "spam").json()["data"]["reportId"]
    done = act(moderator_api, report_id, "remove_content")
    assert_error(api.get(f"/api/v1/topics/{topic.pk}"), 404, "NOT_FOUND")
    reverse(moderator_api, done["action"]["id"])
    assert api.get(f"/api/v1/topics/{topic.pk}").status_code == 200


def test_a_user_is_not_content_to_remove(user_api, other_user, moderator_api):
    report_id = report(user_api, "user", other_user.pk, "harassment").json()["data"]["reportId"]
    response = moderator_api.post(
        action_url(report_id), {"action": "remove_content"}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert Report.objects.get(pk=report_id).status == ReportStatus.PENDING


# --- warn_user ----------------------------------------------------------------------------


def test_a_warning_reaches_the_user_by_email_and_on_their_account(
    reported, author, client_for, moderator_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_api, reported, "warn_user", "Please keep it civil")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [author.email]
    assert "Please keep it civil" in sent.body and "A lighthouse keeper" in sent.body
    warnings = client_for(author).get(WARNINGS).json()["data"]
    assert [(w["reason"], w["message"], w["targetType"]) for w in warnings] == [
        ("inappropriate_content", "Please keep it civil", "idea")
    ]
    assert warnings[0]["withdrawnAt"] is None


def test_a_withdrawn_warning_is_marked_on_the_account(reported, author, client_for, moderator_api):
    done = act(moderator_api, reported, "warn_user")
    reverse(moderator_api, done["action"]["id"])
    assert ModerationWarning.objects.get().withdrawn_at is not None
    assert client_for(author).get(WARNINGS).json()["data"][0]["withdrawnAt"]


def test_users_see_only_their_own_warnings(reported, moderator_api, user_api):
    act(moderator_api, reported, "warn_user")
    assert user_api.get(WARNINGS).json()["data"] == []


# --- ban_user -----------------------------------------------------------------------------


def test_a_ban_is_immediate_login_tokens_and_queued_jobs(
    reported, author, moderator_api, api, client_for, django_capture_on_commit_callbacks
):
    tokens = issue_token_pair(author)
    author_api = client_for(author)
    queued = Job.objects.create(type="text_generation", owner=author, status=JobStatus.QUEUED)
    running = Job.objects.create(type="text_generation", owner=author, status=JobStatus.PROCESSING)
    done_job = Job.objects.create(type="text_generation", owner=author, status=JobStatus.COMPLETED)

    with django_capture_on_commit_callbacks(execute=True):
        data = act(moderator_api, reported, "ban_user", "Repeated abuse")

    author.refresh_from_db()
    assert (author.status, author.is_active) == (AccountStatus.BANNED, False)
    body = assert_error(login(api, author), 403, "FORBIDDEN")
    assert body["error"]["message"] == "This account has been banned"
    assert_error(author_api.get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    refresh = api.post("/api/v1/auth/refresh", {"refreshToken": tokens.refresh}, format="json")
    assert_error(refresh, 401, "UNAUTHORIZED")
    statuses = {job.pk: job.status for job in Job.objects.all()}
    assert statuses == {
        queued.pk: JobStatus.CANCELLED,
        running.pk: JobStatus.CANCELLED,
        done_job.pk: JobStatus.COMPLETED,
    }
    assert set(data["action"]["details"]["jobsCancelled"]) == {queued.pk, running.pk}
    assert mail.outbox[-1].to == [author.email]


def test_a_wrong_password_for_a_banned_account_says_nothing_of_the_ban(
    reported, author, moderator_api, api
):
    act(moderator_api, reported, "ban_user")
    response = api.post(
        "/api/v1/auth/login", {"email": author.email, "password": "wrong-pass"}, format="json"
    )
    assert_error(response, 401, "INVALID_CREDENTIALS")


def test_lifting_a_ban_lets_the_user_sign_in_again(reported, author, moderator_api, api):
    done = act(moderator_api, reported, "ban_user")
    reversal = reverse(moderator_api, done["action"]["id"])
    assert reversal["action"] == "lift_ban"
    author.refresh_from_db()
    assert (author.status, author.is_active) == (AccountStatus.ACTIVE, True)
    assert login(api, author).status_code == 200


def test_a_moderator_cannot_ban_another_moderator_but_an_admin_can(
    user_api, moderator_api, admin_api
):
    other_moderator = UserFactory(role="moderator", is_staff=True)
    report_id = report(user_api, "user", other_moderator.pk, "harassment").json()["data"][
        "reportId"
    ]
    refused = moderator_api.post(action_url(report_id), {"action": "ban_user"}, format="json")
    assert_error(refused, 403, "FORBIDDEN")
    assert act(admin_api, report_id, "ban_user")["actionTaken"] == "ban_user"


# --- permissions and the audit log --------------------------------------------------------


def test_users_cannot_act_reverse_or_read_the_audit_log(reported, user_api, moderator_api):
    refused = user_api.post(action_url(reported), {"action": "dismiss"}, format="json")
    assert_error(refused, 403, "FORBIDDEN")
    assert Report.objects.get(pk=reported).status == ReportStatus.PENDING
    done = act(moderator_api, reported, "remove_content")
    assert_error(user_api.get(ACTIONS), 403, "FORBIDDEN")
    refused = user_api.post(f"{ACTIONS}/{done['action']['id']}/reverse", {}, format="json")
    assert_error(refused, 403, "FORBIDDEN")


def test_admins_act_like_moderators(reported, admin_api, idea):
    act(admin_api, reported, "remove_content")
    idea.refresh_from_db()
    assert idea.moderation_status == ModerationStatus.REMOVED


def test_the_audit_log_keeps_who_when_what_and_why(
    reported, idea, moderator, moderator_api, admin_api
):
    done = act(moderator_api, reported, "remove_content", "Graphic")
    reverse(admin_api, done["action"]["id"], "Appeal upheld")
    log = moderator_api.get(ACTIONS, {"targetId": idea.pk}).json()["data"]
    assert [(e["action"], e["notes"]) for e in log] == [
        ("restore_content", "Appeal upheld"),
        ("remove_content", "Graphic"),
    ]
    removal = log[1]
    assert removal["moderator"]["id"] == moderator.pk
    assert removal["targetOwner"]["id"] == idea.author_id
    assert removal["createdAt"] and removal["reversedAt"]
