"""The operators' manage.py commands: what they do, --dry-run, and their exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from catalog.models import Category, Idea, Topic
from config import maintenance
from jobs.models import Job, JobLog, JobStatus
from studio.models import Template
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def call(*args: str) -> tuple[str, int]:
    """Run a command as a script would: its output and its exit status."""
    out = io.StringIO()
    try:
        call_command(args[0], "--no-progress", *args[1:], stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def job(owner, status=JobStatus.QUEUED, **fields) -> Job:
    return Job.objects.create(type="text_generation", owner=owner, status=status, **fields)


# --- jobs ---------------------------------------------------------------------------------------


def test_jobs_list_counts_by_state_and_filters(user):
    queued, failed = job(user), job(user, JobStatus.FAILED)
    out, code = call("jobs", "list")
    assert code == 0
    assert "failed 1, queued 1" in out and queued.pk in out and failed.pk in out
    out, _ = call("jobs", "list", "--status", "failed", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == [failed.pk]


def test_jobs_cancel_dry_run_changes_nothing_and_cancel_cancels(user):
    waiting = job(user)
    out, code = call("jobs", "cancel", waiting.pk, "--dry-run")
    assert code == 0 and f"would cancel {waiting.pk}" in out
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED
    out, code = call("jobs", "cancel", waiting.pk)
    assert code == 0
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.CANCELLED
    assert JobLog.objects.filter(job=waiting, message="Job cancelled").exists()


def test_jobs_cancel_of_a_finished_job_exits_1_and_an_unknown_id_exits_2(user):
    done = job(user, JobStatus.COMPLETED)
    out, code = call("jobs", "cancel", done.pk)
    assert code == 1 and done.pk in out
    out, code = call("jobs", "cancel", "job_doesnotexist")
    assert code == 2 and "job_doesnotexist" in out


def test_jobs_requeue_queues_a_failed_job_again(user, django_capture_on_commit_callbacks):
    failed = job(user, JobStatus.FAILED, max_retries=3)
    out, code = call("jobs", "requeue", failed.pk, "--dry-run")
    assert code == 0 and "would requeue" in out
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED
    with django_capture_on_commit_callbacks(execute=False):
        out, code = call("jobs", "requeue", failed.pk)
    assert code == 0, out
    failed.refresh_from_db()
    assert failed.status == JobStatus.QUEUED and failed.retry_count == 1


def test_jobs_reap_dry_run_lists_stuck_jobs_and_reap_requeues_them(
    user, settings, django_capture_on_commit_callbacks
):
    settings.JOB_LEASE_SECONDS = 60
    stuck = job(
        user, JobStatus.PROCESSING, attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    alive = job(user, JobStatus.PROCESSING, attempts=1, heartbeat_at=timezone.now())
    out, code = call("jobs", "reap", "--dry-run")
    assert code == 0 and f"would requeue {stuck.pk}" in out and alive.pk not in out
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.PROCESSING
    with django_capture_on_commit_callbacks(execute=False):
        out, code = call("jobs", "reap")
    assert code == 0 and "1 requeued" in out
    stuck.refresh_from_db()
    alive.refresh_from_db()
    assert (stuck.status, alive.status) == (JobStatus.QUEUED, JobStatus.PROCESSING)


# --- storage ------------------------------------------------------------------------------------


@pytest.fixture
def stored(user):
    """A completed job whose file exists, one whose file is gone, and a file without a job."""
    kept = job(user, JobStatus.COMPLETED)
    name = default_storage.save(f"users/{user.pk}/jobs/{kept.pk}/video.mp4", ContentFile(b"x" * 10))
    Job.objects.filter(pk=kept.pk).update(result={"file": name})
    gone = job(user, JobStatus.COMPLETED, result={"file": f"users/{user.pk}/jobs/x/gone.mp4"})
    orphan = default_storage.save(
        f"users/{user.pk}/jobs/job_deleted/out.mp4", ContentFile(b"y" * 5)
    )
    return {"kept": name, "gone_job": gone, "orphan": orphan, "user": user}


def test_storage_usage_adds_up_every_users_files(stored):
    other = UserFactory()
    default_storage.save(f"users/{other.pk}/jobs/job_a/a.bin", ContentFile(b"z" * 7))
    out, code = call("storage", "usage", "--json")
    assert code == 0
    assert json.loads(out) == {stored["user"].pk: 15, other.pk: 7}


def test_storage_orphans_reports_both_ways_and_exits_1(stored):
    out, code = call("storage", "orphans")
    assert code == 1
    assert f"orphaned file: {stored['orphan']}" in out
    assert f"row {stored['gone_job'].pk}" in out
    assert stored["kept"] not in out
    assert default_storage.exists(stored["orphan"])


def test_storage_orphans_delete_dry_run_keeps_the_files(stored):
    out, code = call("storage", "orphans", "--delete", "--dry-run")
    assert code == 0 and f"would delete: {stored['orphan']}" in out
    assert default_storage.exists(stored["orphan"])


def test_storage_orphans_delete_removes_only_files_no_row_points_to(stored):
    out, code = call("storage", "orphans", "--delete")
    assert f"deleted: {stored['orphan']}" in out
    assert not default_storage.exists(stored["orphan"])
    assert default_storage.exists(stored["kept"])
    # The row whose file is gone is a user's data: listed, kept, and the exit says so.
    assert code == 1 and Job.objects.filter(pk=stored["gone_job"].pk).exists()


# --- reindex ------------------------------------------------------------------------------------


class MemorySource:
    """An embedding source over a dict: the registry's contract, without the assets app."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.model = "m2"
        self.rows = {i: {"model": "m1", "vector": None} for i in range(1, n + 1)}
        self.fail_at = fail_at
        self.batches: list[list[int]] = []

    def keys(self, stale_only: bool) -> list[int]:
        return sorted(
            k for k, row in self.rows.items() if not stale_only or row["model"] != self.model
        )

    def embed(self, keys) -> int:
        if self.fail_at is not None and self.fail_at in keys:
            raise RuntimeError("model server went away")
        self.batches.append(list(keys))
        for key in keys:
            self.rows[key] = {"model": self.model, "vector": [float(key)]}
        return len(keys)

    def register(self) -> None:
        maintenance.register_embedding_source(
            maintenance.EmbeddingSource("memory", self.keys, self.embed, model=self.model)
        )


@pytest.fixture
def source(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    made = MemorySource(10)
    made.register()
    yield made
    maintenance.unregister_embedding_source("memory")


def test_reindex_dry_run_counts_and_embeds_nothing(source):
    out, code = call("reindex", "--source", "memory", "--dry-run")
    assert code == 0 and "would embed 10 rows" in out
    assert all(row["vector"] is None for row in source.rows.values())


def test_reindex_embeds_stale_rows_in_batches(source):
    source.rows[3]["model"] = "m2"  # already current
    out, code = call("reindex", "--source", "memory", "--batch-size", "4")
    assert code == 0 and "9 rows embedded" in out
    assert source.batches == [[1, 2, 4, 5], [6, 7, 8, 9], [10]]
    out, code = call("reindex", "--source", "memory", "--all", "--batch-size", "100")
    assert "10 rows embedded" in out


def test_a_failed_reindex_exits_1_and_the_next_run_resumes_after_the_last_batch(source, tmp_path):
    source.fail_at = 7
    out, code = call("reindex", "--source", "memory", "--all", "--batch-size", "3")
    assert code == 1 and "6 rows embedded" in out
    assert json.loads((tmp_path / "reindex" / "memory.json").read_text())["after"] == 6
    source.fail_at = None
    source.batches.clear()
    out, code = call("reindex", "--source", "memory", "--all", "--batch-size", "3")
    assert code == 0
    assert source.batches == [[7, 8, 9], [10]]  # --all, yet 1-6 were not embedded again
    assert not (tmp_path / "reindex" / "memory.json").exists()


def test_reindex_of_an_unknown_source_exits_2(source):
    out, code = call("reindex", "--source", "nope")
    assert code == 2 and "memory" in out


# --- catalog ------------------------------------------------------------------------------------


def test_catalog_export_then_import_into_an_empty_catalog_restores_it(tmp_path):
    author = UserFactory(email="writer@example.com")
    topic = TopicFactory(slug="noir", name="Noir")
    category = CategoryFactory(topic=topic, slug="heists")
    idea = IdeaFactory(
        topic=topic, category=category, author=author, title="The vault", tags=["crime", "night"]
    )
    Template.objects.create(
        slug="promo",
        name="Promo",
        category="social",
        render_request={"shots": []},
        customizations={"text": "Hi"},
    )
    path = tmp_path / "catalog.json"
    out, code = call("catalog", "export", "--output", str(path))
    assert code == 0
    document = json.loads(path.read_text())
    assert [t["slug"] for t in document["topics"]] == ["noir"]
    assert document["ideas"][0]["tags"] == ["crime", "night"]
    rows = sum(len(document[key]) for key in ("topics", "categories", "ideas", "templates"))
    assert "promo" in {t["slug"] for t in document["templates"]}
    Idea.objects.all().delete()
    Category.objects.all().delete()
    Topic.objects.all().delete()
    Template.objects.all().delete()

    out, code = call("catalog", "import", str(path), "--dry-run")
    assert code == 0 and f"would create {rows}," in out
    assert not Topic.objects.exists()
    out, code = call("catalog", "import", str(path))
    assert code == 0 and f"created {rows}," in out
    restored = Idea.objects.get(pk=idea.pk)
    assert (restored.title, restored.author, restored.category.slug) == (
        "The vault",
        author,
        "heists",
    )
    assert restored.tags == ["crime", "night"]
    assert Template.objects.get(slug="promo").customizations == {"text": "Hi"}
    out, code = call("catalog", "import", str(path))
    assert f"created 0, updated {rows}." in out


def test_catalog_import_of_a_bad_file_exits_1_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": "storyforge-catalog/1",
                "topics": [{"slug": "fine", "name": "Fine"}],
                "ideas": [
                    {
                        "id": "idea_x",
                        "title": "t",
                        "prompt": "p",
                        "topic": "fine",
                        "author": "nobody@example.com",
                    }
                ],
            }
        )
    )
    out, code = call("catalog", "import", str(path))
    assert code == 1 and "nobody@example.com" in out
    assert not Topic.objects.filter(slug="fine").exists()
    path.write_text("{not json")
    assert call("catalog", "import", str(path))[1] == 1
    assert call("catalog", "import", str(tmp_path / "missing.json"))[1] == 2


# --- scene --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_scene_create_follows_its_job_to_the_end(tmp_path, settings):
    settings.SCENE_RENDER = {"width": 320, "height": 180, "fps": 12}
    creator = UserFactory(email="director@example.com")
    idea = IdeaFactory()
    script = tmp_path / "script.txt"
    script.write_text("MARA walks into the lighthouse. She lights the lamp. The sea is calm.")
    out, code = call(
        "scene",
        "create",
        "--idea",
        idea.pk,
        "--script",
        str(script),
        "--user",
        creator.email,
        "--follow",
        "--interval",
        "0.05",
        "--timeout",
        "120",
    )
    assert code == 0, out
    assert "completed" in out
    scene_id = out.split()[1]
    from scenes.models import Scene

    scene = Scene.objects.get(pk=scene_id)
    assert scene.idea_id == idea.pk
    assert Job.objects.filter(scene_id=scene.pk, status=JobStatus.COMPLETED).exists()


def test_scene_create_with_an_unknown_idea_or_file_exits_2(tmp_path):
    creator = UserFactory()
    script = tmp_path / "s.txt"
    script.write_text("A line.")
    assert (
        call(
            "scene",
            "create",
            "--idea",
            "idea_nope",
            "--script",
            str(script),
            "--user",
            creator.email,
        )[1]
        == 2
    )
    assert (
        call(
            "scene",
            "create",
            "--idea",
            IdeaFactory().pk,
            "--script",
            str(tmp_path / "none.txt"),
            "--user",
            creator.email,
        )[1]
        == 2
    )


# --- doctor -------------------------------------------------------------------------------------


def test_doctor_reports_each_check_and_exits_1_when_one_fails(monkeypatch):
    from ops import doctor

    out, code = call(
        "doctor", "--only", "configuration", "--only", "database", "--only", "ffmpeg", "--json"
    )
    findings = {f["name"]: f for f in map(json.loads, out.splitlines()[:3])}
    assert code == 0, out
    assert {f["status"] for f in findings.values()} == {"ok"}
    monkeypatch.setitem(
        doctor.CHECKS,
        "ffmpeg",
        lambda: doctor.Finding("ffmpeg", doctor.FAIL, "missing", "install it"),
    )
    out, code = call("doctor", "--only", "ffmpeg")
    assert code == 1 and "[FAIL] ffmpeg: missing" in out and "fix: install it" in out


def test_the_commands_exit_statuses_reach_the_shell():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    usage = subprocess.run(
        [sys.executable, "manage.py", "jobs", "explode"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 2
    helped = subprocess.run(
        [sys.executable, "manage.py", "storage", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert helped.returncode == 0 and "Exit status" in helped.stdout
