"""The job outputs' file area (users/<owner>/jobs/<job>/...), registered for `manage.py storage`.

Registered by ops, which may read jobs: the job engine itself knows nothing of storage names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from config.maintenance import FileArea
from jobs.models import Job, JobStatus
from media_pipeline import storage

# The keys of a job's result that name stored files.
FILE_KEYS = (
    "file",
    "hlsFile",
    "thumbnailFile",
    "posterFile",
    "videoFile",
    "outputFile",
    "imageFile",
)


def _job_of(name: str) -> str | None:
    parts = name.split("/")
    return parts[3] if storage.owner_of(name) is not None else None


def referenced(names: Sequence[str]) -> set[str]:
    """Names under a job's prefix whose job row exists and belongs to the owner in the name."""
    wanted = {(storage.owner_of(n), _job_of(n)) for n in names}
    job_ids = {job for _owner, job in wanted if job}
    existing = set(Job.objects.filter(pk__in=job_ids).values_list("owner_id", "pk"))
    return {n for n in names if (storage.owner_of(n), _job_of(n)) in existing}


def references() -> Iterator[tuple[str, str]]:
    """(job id, storage name) for every file a completed job's result names."""
    jobs = Job.objects.filter(status=JobStatus.COMPLETED, result__isnull=False).only("id", "result")
    for job in jobs.iterator(chunk_size=500):
        result = job.result if isinstance(job.result, dict) else {}
        for key in FILE_KEYS:
            value = result.get(key)
            if isinstance(value, str) and value:
                yield job.pk, value


JOB_OUTPUTS = FileArea(
    name="job-outputs",
    prefix="users/",
    owner_of=storage.owner_of,
    referenced=referenced,
    references=references,
)
