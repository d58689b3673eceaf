"""POST /report and GET /moderation/queue: who may report what, and the grouped queue."""

from __future__ import annotations

import pytest

from moderation.choices import ModerationStatus
from moderation.models import Report, ReportStatus
from tests.catalog.factories import IdeaFactory
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.moderation.conftest import QUEUE, action_url, report

pytestmark = pytest.mark.django_db


def test_a_user_reports_an_idea_and_it_waits_in_the_queue(user_api, idea, author):
    response = report(user_api, "idea", idea.pk, "inappropriate_content", description="Gross")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["reportId"].startswith("rpt_")
    assert data["status"] == "pending"
    assert data["message"] == "Thank you for your report. Our team will review it."
    stored = Report.objects.get(pk=data["reportId"])
    assert (stored.target_type, stored.target_id, stored.target_owner) == ("idea", idea.pk, author)


@pytest.mark.parametrize("reason", ["rude", "", "SPAM", "inappropriate"])
def test_a_reason_outside_the_documented_ones_is_a_validation_error(user_api, idea, reason):
    body = assert_error(report(user_api, "idea", idea.pk, reason), 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["error"]["details"]} == {"reason"}


def test_an_unknown_target_type_is_a_validation_error(user_api, idea):
    body = assert_error(report(user_api, "spaceship", idea.pk), 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["error"]["details"]} == {"targetType"}


def test_an_unknown_target_is_not_found(user_api):
    assert_error(report(user_api, "idea", "idea_doesnotexist"), 404, "NOT_FOUND")


def test_another_users_private_idea_is_not_found(user_api):
    hidden = IdeaFactory(moderation_status=ModerationStatus.PENDING)
    assert_error(report(user_api, "idea", hidden.pk), 404, "NOT_FOUND")


def test_an_unknown_field_is_refused(user_api, idea):
    response = report(user_api, "idea", idea.pk, severity="high")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_reporting_requires_sign_in(api, idea):
    assert_error(report(api, "idea", idea.pk), 401, "UNAUTHORIZED")


def test_the_same_user_cannot_report_the_same_thing_twice_while_it_is_open(
    user_api, idea, moderator_api
):
    first = report(user_api, "idea", idea.pk).json()["data"]["reportId"]
    body = assert_error(report(user_api, "idea", idea.pk, "harassment"), 409, "CONFLICT")
    assert body["error"]["details"] == {"targetType": "idea", "targetId": idea.pk}
    # Once the report is resolved, a new report is a new case.
    moderator_api.post(action_url(first), {"action": "dismiss"}, format="json")
    assert report(user_api, "idea", idea.pk).status_code == 201


def test_users_can_be_reported_but_not_by_themselves(user, user_api, other_user):
    assert report(user_api, "user", other_user.pk, "harassment").status_code == 201
    assert_error(report(user_api, "user", user.pk, "harassment"), 400, "VALIDATION_ERROR")


def test_the_queue_is_for_moderators_and_admins_only(api, user_api, moderator_api, admin_api):
    assert_error(api.get(QUEUE), 401, "UNAUTHORIZED")
    assert_error(user_api.get(QUEUE), 403, "FORBIDDEN")
    assert moderator_api.get(QUEUE).status_code == 200
    assert admin_api.get(QUEUE).status_code == 200


def test_reports_on_one_target_are_grouped_with_their_count(client_for, idea, moderator_api):
    other = IdeaFactory()
    reporters = [UserFactory() for _ in range(3)]
    for reporter, reason in zip(reporters, ["spam", "spam", "harassment"], strict=True):
        assert report(client_for(reporter), "idea", idea.pk, reason).status_code == 201
    report(client_for(reporters[0]), "idea", other.pk)
    first = Report.objects.filter(target_id=idea.pk).order_by("created_at").first()

    response = moderator_api.get(QUEUE)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [(row["targetId"], row["reportCount"]) for row in data] == [(idea.pk, 3), (other.pk, 1)]
    top = data[0]
    assert top["id"] == first.pk
    assert top["reasons"] == {"spam": 2, "harassment": 1}
    assert top["reporter"] == {"id": first.reporter.pk, "username": first.reporter.username}
    assert top["status"] == "pending"
    assert top["targetOwner"]["id"] == idea.author.pk
    assert top["target"] == {
        "exists": True,
        "description": f"Idea “{idea.title}”",
        "removed": False,
    }
    assert response.json()["meta"]["total"] == 2


def test_the_queue_filters_by_status_and_target_type(user_api, idea, other_user, moderator_api):
    idea_report = report(user_api, "idea", idea.pk).json()["data"]["reportId"]
    report(user_api, "user", other_user.pk, "harassment")
    ids = lambda **q: [row["targetId"] for row in moderator_api.get(QUEUE, q).json()["data"]]  # noqa: E731
    assert set(ids()) == {idea.pk, other_user.pk}
    assert ids(targetType="user") == [other_user.pk]
    moderator_api.post(action_url(idea_report), {"action": "dismiss"}, format="json")
    assert ids() == [other_user.pk]
    assert ids(status="resolved") == [idea.pk]
    resolved = moderator_api.get(QUEUE, {"status": "resolved"}).json()["data"][0]
    assert (resolved["status"], resolved["actionTaken"]) == ("resolved", "dismiss")
    assert_error(moderator_api.get(QUEUE, {"status": "closed"}), 400, "VALIDATION_ERROR")
    assert_error(moderator_api.get(QUEUE, {"targetType": "boat"}), 400, "VALIDATION_ERROR")


def test_the_queue_page_takes_a_fixed_number_of_queries(
    client_for, moderator_api, django_assert_max_num_queries
):
    for _ in range(6):
        report(client_for(UserFactory()), "idea", IdeaFactory().pk)
    with django_assert_max_num_queries(12):
        assert len(moderator_api.get(QUEUE).json()["data"]) == 6


def test_an_action_on_a_resolved_report_is_a_conflict(user_api, idea, moderator_api):
    report_id = report(user_api, "idea", idea.pk).json()["data"]["reportId"]
    done = moderator_api.post(action_url(report_id), {"action": "dismiss"}, format="json")
    assert done.status_code == 200, done.content
    assert Report.objects.get(pk=report_id).status == ReportStatus.RESOLVED
    again = moderator_api.post(action_url(report_id), {"action": "dismiss"}, format="json")
    assert_error(again, 409, "CONFLICT")


def test_an_unknown_action_or_report_is_refused(user_api, idea, moderator_api):
    report_id = report(user_api, "idea", idea.pk).json()["data"]["reportId"]
    bad = moderator_api.post(action_url(report_id), {"action": "delete"}, format="json")
    assert_error(bad, 400, "VALIDATION_ERROR")
    missing = moderator_api.post(action_url("rpt_nope"), {"action": "dismiss"}, format="json")
    assert_error(missing, 404, "NOT_FOUND")
