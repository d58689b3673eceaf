"""StoryCore's GET and POST /projects/:id/jobs, through the jobs engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus, Priority
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory
from tests.projects.helpers import error_fields, ids, run, url

pytestmark = pytest.mark.django_db

STORYCORE_JOB = {
    "type": "test_steps",
    "parameters": {
        "inputPath": "/path/to/input.mp4",
        "settings": {"resolution": "1920x1080", "frameRate": 30},
        "steps": 2,
    },
    "priority": "normal",
}


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


def post_job(client, project, body=None, **headers):
    return client.post(url(project, "/jobs"), body or STORYCORE_JOB, format="json", headers=headers)


# --- POST /projects/:id/jobs ------------------------------------------------------------------


def test_starting_a_job_answers_201_with_the_queued_job(user, user_api, project):
    response = post_job(user_api, project)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Job created successfully"
    data = body["data"]
    assert data["id"].startswith("job_")
    assert (data["type"], data["status"], data["priority"]) == ("test_steps", "queued", "normal")
    assert (data["projectId"], data["userId"]) == (project.pk, user.pk)
    assert data["parameters"] == STORYCORE_JOB["parameters"]
    job = Job.objects.get(pk=data["id"])
    assert (job.project_id, job.owner) == (project.pk, user)
    assert run(job).status == JobStatus.COMPLETED


def test_a_collaborators_job_is_theirs_and_the_projects(client_for, project):
    collaborator = CollaboratorFactory(project=project).user
    data = post_job(client_for(collaborator), project).json()["data"]
    assert (data["userId"], data["projectId"]) == (collaborator.pk, project.pk)


def test_the_same_idempotency_key_returns_the_first_job(user_api, project):
    first = post_job(user_api, project, **{"Idempotency-Key": "render-1"})
    again = post_job(user_api, project, **{"Idempotency-Key": "render-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again["Idempotent-Replayed"] == "true"
    other = {**STORYCORE_JOB, "priority": "high"}
    assert_error(
        post_job(user_api, project, other, **{"Idempotency-Key": "render-1"}), 409, "CONFLICT"
    )
    assert Job.objects.count() == 1


def test_an_unknown_job_type_is_refused_listing_the_allowed_ones(user_api, project):
    body = assert_error(
        post_job(user_api, project, {"type": "video_magic"}), 400, "VALIDATION_ERROR"
    )
    assert error_fields(body) == {"type"}
    message = body["error"]["details"][0]["message"]
    assert "test_steps" in message and "test_checked" in message
    assert "project_cleanup" not in message


@pytest.mark.parametrize("internal", ["project_cleanup", "project_copy_assets"])
def test_the_platforms_own_project_jobs_cannot_be_started_by_a_client(user_api, project, internal):
    response = post_job(user_api, project, {"type": internal, "parameters": {}})
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"type"}
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "type"),
        ({"type": 5}, "type"),
        ({"type": "test_steps", "parameters": "big"}, "parameters"),
        ({"type": "test_steps", "parameters": {"cost": "lots"}}, "parameters"),
        ({"type": "test_steps", "priority": "asap"}, "priority"),
        ({"type": "test_steps", "projectId": "prj_x"}, "projectId"),
    ],
)
def test_bad_job_input_is_refused_and_creates_nothing(user_api, project, body, field):
    response = user_api.post(url(project, "/jobs"), body, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {field}
    assert not Job.objects.exists()


def test_a_job_over_the_cost_limit_is_refused(user_api, project):
    body = {"type": "test_steps", "parameters": {"cost": "100.01"}}
    assert_error(post_job(user_api, project, body), 402, "COST_LIMIT")
    assert not Job.objects.exists()


# --- GET /projects/:id/jobs -------------------------------------------------------------------


def born(job: Job, minutes_ago: int) -> Job:
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return job


def test_the_list_shows_the_projects_jobs_whoever_started_them(user, user_api, project, submit):
    mine = born(submit(user, project_id=project.pk), 20)
    theirs = born(submit(UserFactory(), project_id=project.pk), 10)
    submit(user, project_id="prj_other")
    submit(user)
    response = user_api.get(url(project, "/jobs"))
    assert ids(response) == [theirs.pk, mine.pk]
    assert response.json()["meta"]["total"] == 2
    first = response.json()["data"][0]
    assert {"stages", "parameters", "progress", "startedAt", "completedAt"} <= set(first)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", {"completed"}),
        ("running", {"processing"}),  # StoryCore's word
        ("pending", set()),
        ("queued", {"queued"}),
        ("FAILED", {"failed"}),
    ],
)
def test_the_list_filters_by_status(user, user_api, project, submit, status, expected):
    for state in ("queued", "processing", "completed", "failed"):
        job = submit(user, project_id=project.pk)
        Job.objects.filter(pk=job.pk).update(status=state)
    response = user_api.get(url(project, "/jobs"), {"status": status})
    assert {item["status"] for item in response.json()["data"]} == expected


def test_the_list_filters_by_type(user, user_api, project, submit):
    submit(user, project_id=project.pk)
    checked = submit(user, type="test_checked", project_id=project.pk)
    assert ids(user_api.get(url(project, "/jobs"), {"type": "test_checked"})) == [checked.pk]


@pytest.mark.parametrize(
    ("sort", "values", "ascending"),
    [
        ("created_at", {}, "abc"),
        ("status", {"status": ("queued", "completed", "failed")}, "bca"),
        ("priority", {"priority": (Priority.NORMAL, Priority.URGENT, Priority.LOW)}, "cab"),
    ],
)
def test_the_list_sorts_both_ways(user, user_api, project, submit, sort, values, ascending):
    jobs = {n: born(submit(user, project_id=project.pk), m) for n, m in zip("abc", (30, 20, 10))}
    for field, per_job in values.items():
        for name, value in zip("abc", per_job):
            Job.objects.filter(pk=jobs[name].pk).update(**{field: value})
    expected = [jobs[name].pk for name in ascending]
    path = url(project, "/jobs")
    assert ids(user_api.get(path, {"sort": sort, "order": "asc"})) == expected
    assert ids(user_api.get(path, {"sort": sort, "order": "desc"})) == expected[::-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "done"}, "status"),
        ({"sort": "cost"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"limit": "500"}, "limit"),
    ],
)
def test_bad_job_list_parameters_are_validation_errors(user_api, project, query, field):
    body = assert_error(user_api.get(url(project, "/jobs"), query), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {field}


def test_the_job_list_pages(user, user_api, project, submit):
    for minutes in (30, 20, 10):
        born(submit(user, project_id=project.pk), minutes)
    response = user_api.get(url(project, "/jobs"), {"limit": 2, "page": 2})
    assert len(response.json()["data"]) == 1
    assert response.json()["meta"] == {
        "page": 2,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasMore": False,
    }


@pytest.mark.parametrize("count", [5, 25])
def test_the_job_list_runs_the_same_number_of_queries_whatever_its_length(
    user, user_api, project, submit, django_assert_max_num_queries, count
):
    for _ in range(count):
        submit(user, project_id=project.pk)
    with django_assert_max_num_queries(9):
        assert len(user_api.get(url(project, "/jobs"), {"limit": 100}).json()["data"]) == count
