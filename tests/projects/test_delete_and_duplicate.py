"""Deleting a project (gone at once, its jobs stopped, its files and row removed by a job) and
duplicating one (StoryCore's copyAssets and copyJobs)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from jobs import services as job_services
from jobs.models import Job, JobStatus, Priority
from projects.job_types import CLEANUP, COPY_ASSETS
from projects.models import Collaborator, Invitation, Project, ProjectStatus
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, InvitationFactory, ProjectFactory
from tests.projects.helpers import PROJECTS, error_fields, ids, run, url

pytestmark = pytest.mark.django_db


# --- DELETE /projects/:id ---------------------------------------------------------------------


def test_a_deleted_project_leaves_every_list_and_detail_at_once(user, user_api, client_for):
    project = ProjectFactory(owner=user)
    friend = CollaboratorFactory(project=project).user
    response = user_api.delete(url(project))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Project deleted successfully"
    assert body["data"]["id"] == project.pk
    for client in (user_api, client_for(friend)):
        assert ids(client.get(PROJECTS)) == []
        assert_error(client.get(url(project)), 404, "NOT_FOUND")
        assert_error(client.get(url(project, "/jobs")), 404, "NOT_FOUND")
        assert_error(client.put(url(project), {"title": "Back"}, format="json"), 404, "NOT_FOUND")
    assert_error(user_api.delete(url(project)), 404, "NOT_FOUND")
    project.refresh_from_db()
    assert project.status == ProjectStatus.DELETED and project.deleted_at is not None


def test_deleting_queues_the_cleanup_job_on_the_cpu_queue(user, user_api):
    project = ProjectFactory(owner=user)
    cleanup_id = user_api.delete(url(project)).json()["data"]["cleanupJobId"]
    job = Job.objects.get(pk=cleanup_id)
    assert (job.type, job.status, job.queue, job.project_id) == (
        CLEANUP,
        JobStatus.QUEUED,
        "cpu",
        project.pk,
    )
    assert list(job.stages.values_list("name", flat=True)) == ["remove_files", "purge"]


def test_deleting_cancels_the_projects_queued_and_running_jobs(user, user_api, submit):
    project = ProjectFactory(owner=user)
    queued = submit(user, project_id=project.pk)
    running = submit(UserFactory(), project_id=project.pk)  # a collaborator's job
    Job.objects.filter(pk=running.pk).update(status=JobStatus.PROCESSING, worker="w9")
    finished = run(submit(user, project_id=project.pk))
    elsewhere = submit(user, project_id="prj_other")
    body = user_api.delete(url(project)).json()["data"]
    assert sorted(body["cancelledJobIds"]) == sorted([queued.pk, running.pk])
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[queued.pk] == statuses[running.pk] == JobStatus.CANCELLED
    assert statuses[finished.pk] == JobStatus.COMPLETED
    assert statuses[elsewhere.pk] == JobStatus.QUEUED


def test_deleting_revokes_the_open_invitations(user, user_api):
    project = ProjectFactory(owner=user)
    invitation = InvitationFactory(project=project)
    user_api.delete(url(project))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_the_cleanup_job_removes_the_files_then_the_row(user, user_api, storage):
    project = ProjectFactory(owner=user)
    CollaboratorFactory(project=project)
    InvitationFactory(project=project)
    kept = ProjectFactory(owner=user)
    names = [
        storage.save(f"projects/{project.pk}/script.txt", ContentFile(b"FADE IN")),
        storage.save(f"projects/{project.pk}/renders/shot_01.mp4", ContentFile(b"\x00" * 64)),
    ]
    other = storage.save(f"projects/{kept.pk}/script.txt", ContentFile(b"mine"))
    cleanup_id = user_api.delete(url(project)).json()["data"]["cleanupJobId"]
    assert all(storage.exists(name) for name in names)  # nothing is removed in the request

    job = run(cleanup_id)

    assert job.status == JobStatus.COMPLETED, job.error
    assert job.result == {"project_id": project.pk, "removed_files": 2, "purged": True}
    assert not any(storage.exists(name) for name in names)
    assert not storage.exists(f"projects/{project.pk}")
    assert storage.exists(other)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Collaborator.objects.filter(project_id=project.pk).exists()
    assert not Invitation.objects.filter(project_id=project.pk).exists()
    assert Project.objects.filter(pk=kept.pk).exists()


def test_the_cleanup_job_refuses_a_project_that_is_not_deleted(user, storage):
    project = ProjectFactory(owner=user)
    name = storage.save(f"projects/{project.pk}/script.txt", ContentFile(b"FADE IN"))
    job, _ = job_services.job_submit(
        owner=user, type=CLEANUP, input={"project_id": project.pk}, project_id=project.pk
    )
    job = run(job)
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "CONFLICT")
    assert storage.exists(name)
    assert Project.objects.filter(pk=project.pk).exists()


def test_the_cleanup_of_a_project_without_files_completes(user, user_api, storage):
    project = ProjectFactory(owner=user)
    job = run(user_api.delete(url(project)).json()["data"]["cleanupJobId"])
    assert job.status == JobStatus.COMPLETED
    assert job.result["removed_files"] == 0


# --- POST /projects/:id/duplicate -------------------------------------------------------------


def duplicate(client, project, **body):
    return client.post(url(project, "/duplicate"), body, format="json")


def test_a_duplicate_copies_the_details_and_starts_over(user, user_api):
    project = ProjectFactory(
        owner=user,
        status="active",
        genre="Action",
        episode_count=5,
        target_audience="PG-13",
        template="basic_video",
        settings={"resolution": "1920x1080", "aspect_ratio": "16:9"},
        progress_percentage=40,
        completed_steps=6,
    )
    CollaboratorFactory(project=project)
    response = duplicate(user_api, project, name="My Project Copy", copyAssets=False)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Project duplicated successfully"
    data = body["data"]
    assert data["id"].startswith("prj_") and data["id"] != project.pk
    assert (data["name"], data["originalProjectId"], data["status"]) == (
        "My Project Copy",
        project.pk,
        "created",
    )
    assert (data["genre"], data["episodeCount"], data["targetAudience"], data["template"]) == (
        "Action",
        5,
        "PG-13",
        "basic_video",
    )
    assert data["settings"] == {"resolution": "1920x1080", "aspectRatio": "16:9"}
    assert data["progress"]["percentage"] == 0
    assert (data["copiedJobIds"], data["assetCopyJobId"]) == ([], None)
    copy = Project.objects.get(pk=data["id"])
    assert copy.owner == user and not copy.collaborators.exists()


def test_a_duplicate_without_a_name_is_called_a_copy(user, user_api):
    project = ProjectFactory(owner=user, title="Film")
    first = duplicate(user_api, project, copyAssets=False).json()["data"]["title"]
    second = duplicate(user_api, project, copyAssets=False).json()["data"]["title"]
    assert (first, second) == ("Film (copy)", "Film (copy 2)")


def test_a_duplicate_with_a_title_already_used_is_a_conflict(user, user_api):
    project = ProjectFactory(owner=user, title="Film")
    assert_error(duplicate(user_api, project, name="film"), 409, "CONFLICT")
    assert Project.objects.count() == 1


def test_copy_assets_copies_the_files_by_a_job(user, user_api, storage):
    project = ProjectFactory(owner=user)
    original = storage.save(f"projects/{project.pk}/renders/a.mp4", ContentFile(b"frames"))
    data = duplicate(user_api, project).json()["data"]  # copyAssets defaults to true
    job = Job.objects.get(pk=data["assetCopyJobId"])
    assert (job.type, job.project_id) == (COPY_ASSETS, data["id"])
    assert run(job).status == JobStatus.COMPLETED
    copied = f"projects/{data['id']}/renders/a.mp4"
    assert storage.open(copied).read() == b"frames"
    assert storage.exists(original)
    assert Job.objects.get(pk=job.pk).result == {"project_id": data["id"], "copied_files": 1}


def test_copy_jobs_runs_the_originals_live_and_completed_work_again(user, user_api, submit):
    project = ProjectFactory(owner=user)
    done = run(submit(user, project_id=project.pk, steps=1))
    waiting = submit(user, project_id=project.pk, steps=3)
    Job.objects.filter(pk=waiting.pk).update(priority=Priority.HIGH)
    failed = run(submit(user, type="test_crash", project_id=project.pk))
    cancelled = job_services.job_cancel(job=submit(user, project_id=project.pk))
    data = duplicate(user_api, project, copyJobs=True, copyAssets=False).json()["data"]
    copies = Job.objects.filter(pk__in=data["copiedJobIds"]).order_by("created_at")
    assert [(j.type, j.input, j.priority) for j in copies] == [
        ("test_steps", {"steps": 1}, Priority.NORMAL),
        ("test_steps", {"steps": 3}, Priority.HIGH),
    ]
    assert {j.project_id for j in copies} == {data["id"]}
    assert {j.status for j in copies} == {JobStatus.QUEUED}
    assert (failed.status, cancelled.status, done.status) == ("failed", "cancelled", "completed")
    assert data["jobCount"] == 2


def test_copied_jobs_past_the_daily_cost_limit_create_nothing(user, user_api, submit):
    # $285 spent today; copying the three jobs again would reach $570 of the $500 a day.
    project = ProjectFactory(owner=user)
    for _ in range(3):
        run(submit(user, project_id=project.pk, steps=1, cost="95"))
    response = duplicate(user_api, project, copyJobs=True, copyAssets=False)
    assert_error(response, 402, "COST_LIMIT")
    assert Project.objects.count() == 1
    assert Job.objects.count() == 3


def test_a_duplicate_counts_against_the_free_plan(user, user_api):
    projects = [ProjectFactory(owner=user) for _ in range(3)]
    assert_error(duplicate(user_api, projects[0]), 402, "SUBSCRIPTION_LIMIT")
    assert Project.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"copyAssets": "yes"}, "copyAssets"),
        ({"copyJobs": 1}, "copyJobs"),
        ({"copyEverything": True}, "copyEverything"),
    ],
)
def test_bad_duplicate_input_is_refused(user, user_api, body, field):
    project = ProjectFactory(owner=user)
    response = user_api.post(url(project, "/duplicate"), body, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {field}
    assert Project.objects.count() == 1
