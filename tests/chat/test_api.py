"""The chat endpoints: bad input, step order, history, pause/resume, project progress,
sessions list, moderation, and who may do what."""

from __future__ import annotations

from datetime import datetime

import pytest

from chat.choices import STEPS
from chat.models import ChatMessage, ChatSession
from tests.chat.conftest import CHOICE, MESSAGE, SESSIONS, UPLOAD, choose, session_url

pytestmark = pytest.mark.django_db


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code
    return body["error"]


# --- starting and talking -----------------------------------------------------------------


def test_a_message_without_a_session_starts_one_at_the_first_step(start, team):
    data = start()
    session = ChatSession.objects.get(pk=data["sessionId"])
    assert session.project == team["project"] and session.user == team["owner"]
    assert data["sessionStarted"] is True
    assert data["session"] == {
        "id": session.pk,
        "projectId": team["project"].pk,
        "currentStep": "concept-development",
        "status": "active",
        "progress": 0,
    }
    ai = data["aiResponse"]
    assert ai["messageId"].startswith("msg_") and ai["nextStep"] == "genre-selection"
    assert 2 <= len(ai["choices"]) <= 4
    assert {tuple(c) for c in ai["choices"]} == {("id", "title", "description", "metadata")}
    assert ai["textBackend"] == "rule-writer"


def test_a_free_message_answers_in_the_current_step_without_advancing(start, apis):
    session_id = start()["sessionId"]
    assert choose(apis["owner"], session_id).status_code == 200  # now genre-selection
    response = apis["collaborator"].post(
        MESSAGE, {"sessionId": session_id, "message": "Could it be funnier?"}, format="json"
    )
    data = response.json()["data"]
    assert response.status_code == 200 and data["sessionStarted"] is False
    assert data["session"]["currentStep"] == "genre-selection"
    assert data["session"]["progress"] == 10
    assert data["aiResponse"]["currentStep"] == "genre-selection"
    assert 2 <= len(data["aiResponse"]["choices"]) <= 4


def test_a_change_of_mind_at_the_concept_step_reshapes_the_genre_choices(start, apis):
    session_id = start("A quiet family story about grief and home")["sessionId"]
    apis["owner"].post(
        MESSAGE,
        {"sessionId": session_id, "message": "No: a space robot on an alien planet"},
        format="json",
    )
    data = choose(apis["owner"], session_id).json()["data"]
    assert data["aiResponse"]["choices"][0]["metadata"]["value"] == "science fiction"


def test_custom_input_refines_the_picked_choice(start, apis):
    session_id = start()["sessionId"]
    choose(apis["owner"], session_id)
    choose(apis["owner"], session_id)  # genre
    data = choose(
        apis["owner"], session_id, "choice-2", customInput="Rooftops of a drowned Venice"
    ).json()["data"]
    context = ChatSession.objects.get(pk=session_id).context_data
    assert context["setting"]["value"] == "Rooftops of a drowned Venice"
    assert context["setting"]["choiceId"] == "choice-2"
    assert data["newStep"] == "character-development"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "hello"}, "projectId"),
        ({"projectId": "PRJ", "message": ""}, "message"),
        ({"projectId": "PRJ", "message": 5}, "message"),
        ({"projectId": "PRJ"}, "message"),
        ({"projectId": "PRJ", "message": "x" * 5001}, "message"),
        ({"projectId": "PRJ", "message": "hi", "attachments": "ast_1"}, "attachments"),
        ({"projectId": "PRJ", "message": "hi", "attachments": ["ast_nope"]}, "attachments"),
        ({"projectId": "PRJ", "message": "hi", "mesage": "typo"}, "mesage"),
    ],
)
def test_a_bad_message_is_a_validation_error_and_starts_nothing(apis, team, body, field):
    body = {k: (team["project"].pk if v == "PRJ" else v) for k, v in body.items()}
    details = error(apis["owner"].post(MESSAGE, body, format="json"), 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in details["details"]}
    assert not ChatSession.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "sessionId"),
        ({"sessionId": "SES"}, "choiceId"),
        ({"sessionId": "SES", "choiceId": "choice-9"}, "choiceId"),
        ({"sessionId": "SES", "choiceId": 1}, "choiceId"),
        ({"sessionId": "SES", "choiceId": "choice-1", "customInput": ["x"]}, "customInput"),
        ({"sessionId": "SES", "choiceId": "choice-1", "extra": 1}, "extra"),
    ],
)
def test_a_bad_choice_is_a_validation_error_and_changes_nothing(start, apis, body, field):
    session_id = start()["sessionId"]
    before = ChatMessage.objects.count()
    body = {k: (session_id if v == "SES" else v) for k, v in body.items()}
    details = error(apis["owner"].post(CHOICE, body, format="json"), 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in details["details"]}
    session = ChatSession.objects.get(pk=session_id)
    assert session.current_step == "concept-development" and session.completed_steps == []
    assert ChatMessage.objects.count() == before


def test_an_unknown_session_is_404_for_message_and_choice(apis):
    body = {"sessionId": "ses_nope", "message": "hi"}
    error(apis["owner"].post(MESSAGE, body, format="json"), 404, "NOT_FOUND")
    error(choose(apis["owner"], "ses_nope"), 404, "NOT_FOUND")


def test_a_rejected_message_is_refused_by_moderation_and_nothing_is_stored(start, apis):
    session_id = start()["sessionId"]
    before = ChatMessage.objects.count()
    response = apis["owner"].post(
        MESSAGE,
        {"sessionId": session_id, "message": "I will kill you, you worthless idiot."},
        format="json",
    )
    details = error(response, 400, "VALIDATION_ERROR")
    assert details["details"][0]["field"] == "message"
    assert "moderation" in details["details"][0]["message"]
    assert ChatMessage.objects.count() == before


def test_a_rejected_custom_input_is_refused_and_the_step_stays(start, apis):
    session_id = start()["sessionId"]
    response = choose(
        apis["owner"], session_id, customInput="I will kill you, you worthless idiot."
    )
    error(response, 400, "VALIDATION_ERROR")
    assert ChatSession.objects.get(pk=session_id).current_step == "concept-development"


# --- steps, history ----------------------------------------------------------------------


def test_the_steps_come_in_order_and_every_choice_raises_the_percentage(start, apis):
    session_id = start()["sessionId"]
    seen, percentages = [], [0]
    for _ in STEPS[:-1]:
        data = choose(apis["owner"], session_id).json()["data"]
        seen.append(data["newStep"])
        percentages.append(data["progressUpdate"]["percentage"])
        assert data["progressUpdate"]["nextSteps"][0] == data["newStep"]
    assert seen == list(STEPS[1:])
    assert percentages == sorted(set(percentages))
    assert percentages[-1] == 90


def test_history_lists_both_roles_in_order_with_choices_and_processing_time(start, apis, team):
    session_id = start()["sessionId"]
    choose(apis["collaborator"], session_id, "choice-2")
    data = apis["viewer"].get(session_url(session_id)).json()["data"]
    history = data["conversationHistory"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert all(m["id"].startswith("msg_") for m in history)
    times = [datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")) for m in history]
    assert times == sorted(times)
    assert history[0]["userId"] == team["owner"].pk
    assert history[2]["userId"] == team["collaborator"].pk
    assert "choices" not in history[0]
    assistant = history[1]
    assert 2 <= len(assistant["choices"]) <= 4
    assert isinstance(assistant["metadata"]["processingTime"], int)
    assert assistant["metadata"]["textBackend"] == "rule-writer"
    assert data["currentStep"] == "genre-selection"
    assert data["contextData"]["concept"]["choiceId"] == "choice-2"
    assert data["progress"]["completedSteps"] == ["concept-development"]
    assert data["role"] == "viewer"


# --- pause and resume ----------------------------------------------------------------------


def test_a_paused_session_refuses_choices_and_messages_until_it_is_resumed(start, apis):
    session_id = start()["sessionId"]
    paused = apis["collaborator"].post(f"{session_url(session_id)}/pause")
    assert paused.status_code == 200 and paused.json()["data"]["status"] == "paused"
    error(choose(apis["owner"], session_id), 409, "CONFLICT")
    error(
        apis["owner"].post(MESSAGE, {"sessionId": session_id, "message": "hi"}, format="json"),
        409,
        "CONFLICT",
    )
    error(apis["owner"].post(f"{session_url(session_id)}/pause"), 409, "CONFLICT")
    resumed = apis["owner"].post(f"{session_url(session_id)}/resume")
    assert resumed.json()["data"]["status"] == "active"
    error(apis["owner"].post(f"{session_url(session_id)}/resume"), 409, "CONFLICT")
    assert choose(apis["owner"], session_id).status_code == 200


# --- lists and project progress -------------------------------------------------------------


def test_sessions_are_listed_with_filters_and_pagination(start, apis, team, client_for):
    first = start()["sessionId"]
    second = start("Another idea")["sessionId"]
    apis["owner"].post(f"{session_url(first)}/pause")
    listed = apis["collaborator"].get(SESSIONS, {"limit": 1})
    body = listed.json()
    assert body["meta"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2, "hasMore": True}
    assert body["data"][0]["id"] == first  # the latest activity first
    item = body["data"][0]
    assert item["projectTitle"] == "Flooded City" and item["messageCount"] == 2
    paused = apis["owner"].get(SESSIONS, {"status": "paused"}).json()["data"]
    assert [s["id"] for s in paused] == [first]
    by_project = apis["owner"].get(SESSIONS, {"projectId": team["project"].pk}).json()["data"]
    assert {s["id"] for s in by_project} == {first, second}
    assert apis["stranger"].get(SESSIONS).json()["data"] == []
    error(apis["owner"].get(SESSIONS, {"status": "sleeping"}), 400, "VALIDATION_ERROR")
    error(apis["owner"].get(SESSIONS, {"limit": 101}), 400, "VALIDATION_ERROR")


def test_the_projects_progress_and_active_sessions_follow_the_chat(start, apis, team):
    project_url = f"/api/v1/projects/{team['project'].pk}"
    before = apis["owner"].get(project_url).json()["data"]
    assert before["activeSessionsCount"] == 0 and before["progress"]["percentage"] == 0
    session_id = start()["sessionId"]
    choose(apis["owner"], session_id)
    choose(apis["owner"], session_id)
    detail = apis["viewer"].get(project_url).json()["data"]
    assert detail["activeSessionsCount"] == 1
    assert detail["activeSessions"][0]["id"] == session_id
    progress = detail["progress"]
    assert progress["percentage"] == 20
    assert progress["currentPhase"] == "setting-selection"
    assert progress["completedSteps"] == ["concept-development", "genre-selection"]
    assert progress["nextSteps"][0] == "setting-selection"
    assert [s["name"] for s in progress["workflowSteps"]] == list(STEPS)
    listed = apis["owner"].get("/api/v1/projects").json()["data"][0]
    assert listed["progress"]["percentage"] == 20 and listed["activeSessionsCount"] == 1
    apis["owner"].post(f"{session_url(session_id)}/pause")
    assert apis["owner"].get(project_url).json()["data"]["activeSessionsCount"] == 0


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("owner", 200, 200),
        ("collaborator", 200, 200),
        ("viewer", 200, 403),
        ("stranger", 404, 404),
    ],
)
def test_the_permission_matrix(start, apis, team, role, read, write):
    session_id = start()["sessionId"]
    api = apis[role]
    assert api.get(session_url(session_id)).status_code == read
    assert choose(api, session_id).status_code == write
    message = api.post(MESSAGE, {"sessionId": session_id, "message": "hi"}, format="json")
    assert message.status_code == write
    assert api.post(f"{session_url(session_id)}/pause").status_code == write
    started = api.post(MESSAGE, {"projectId": team["project"].pk, "message": "Mine"}, format="json")
    assert started.status_code == write
    upload = api.post(UPLOAD, {"sessionId": session_id}, format="multipart")
    assert upload.status_code == (400 if write == 200 else write)


def test_without_a_token_every_chat_endpoint_is_401(api, start):
    session_id = start()["sessionId"]
    for response in (
        api.post(MESSAGE, {"message": "x"}, format="json"),
        api.post(CHOICE, {}, format="json"),
        api.get(SESSIONS),
        api.get(session_url(session_id)),
    ):
        error(response, 401, "UNAUTHORIZED")


# --- uploads --------------------------------------------------------------------------------


def test_an_upload_is_checked_as_an_asset_and_referenced_by_the_session(start, attach, team):
    from tests.assets.files import png

    session_id = start()["sessionId"]
    refused = attach(team["owner"], session_id, b"not an image at all", "fake.png")
    error(refused, 415, "UNSUPPORTED_FORMAT")
    response = attach(team["owner"], session_id, png(), "red.png", description="A red wall")
    data = response.json()["data"]
    assert response.status_code == 200 and data["mediaId"].startswith("ast_")
    assert data["sessionId"] == session_id
    context = ChatSession.objects.get(pk=session_id).context_data
    assert context["mediaReferences"] == [data["mediaId"]]
    bad = attach(team["owner"], session_id, png(), "x.png", projectId="prj_other")
    error(bad, 400, "VALIDATION_ERROR")


def test_each_answer_is_a_signed_chat_ai_response_webhook_for_endpoints_that_want_it(
    team, apis, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs.models import WebhookDelivery, WebhookEndpoint

    monkeypatch.setattr("jobs.webhooks.schedule", lambda delivery, countdown=0: None)
    wants = WebhookEndpoint.objects.create(
        owner=team["owner"], url="https://a.example.com", events=["chat.*"], secret="whsec_a"
    )
    WebhookEndpoint.objects.create(
        owner=team["owner"], url="https://b.example.com", events=["job.*"], secret="whsec_b"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = apis["collaborator"].post(
            MESSAGE, {"projectId": team["project"].pk, "message": "A heist"}, format="json"
        )
    data = response.json()["data"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == wants and delivery.event == "chat.ai_response"
    payload = delivery.payload
    assert payload["event"] == "chat.ai_response"
    assert payload["data"]["sessionId"] == data["sessionId"]
    assert payload["data"]["messageId"] == data["aiResponse"]["messageId"]
    assert payload["data"]["choices"] == data["aiResponse"]["choices"]
    assert payload["data"]["timestamp"].endswith("Z")
