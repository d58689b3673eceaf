"""Job types: each domain app registers its kinds of work and their stages here.

The engine imports no domain app. `scenes` registers `scene_continuation` with its five
stages, the media pipeline its render jobs, and so on: a new kind of work is a new
registration, not an edit of the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from jobs.engine import StageContext
    from jobs.models import Job

StageHandler = Callable[["StageContext"], dict[str, Any] | None]


@dataclass(frozen=True)
class Stage:
    """A named step; `run` returns the stage's output (kept, and skipped on a rerun)."""

    name: str
    run: StageHandler
    weight: float = 1.0  # share of the job's overall progress


@dataclass(frozen=True)
class CostEstimate:
    total: Decimal
    breakdown: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class JobType:
    """A kind of work: its queue, its stages and how to price, finish and undo it."""

    name: str
    stages: tuple[Stage, ...]
    queue: Literal["cpu", "gpu"] = "cpu"
    # The queue of one job when it depends on the input (e.g. the model a client chose).
    queue_for: Callable[[dict[str, Any]], Literal["cpu", "gpu"]] | None = None
    estimate: Callable[[dict[str, Any]], CostEstimate] = lambda _input: CostEstimate(Decimal(0))
    # Checks and normalises a client's input (for the job's owner) before anything is
    # queued; raises config.api.errors.ValidationFailed naming the bad fields.
    prepare: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None
    # Builds the job's result from the stages' outputs.
    result: Callable[[Job, dict[str, Any]], dict[str, Any]] = lambda _job, outputs: outputs
    # What the finished job really cost, from its outputs (default: the estimate).
    actual_cost: Callable[[Job, dict[str, Any]], Decimal] | None = None
    # Adds to a stored result what is only valid when read, e.g. signed, expiring file URLs.
    present: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Called when the job ends without completing (failed, cancelled), e.g. to release a lock.
    on_finished: Callable[[Job], None] | None = None
    # How `modifiedText` and `retryParameters` change the input of a retried job.
    apply_retry: Callable[[dict[str, Any], str | None, dict[str, Any]], dict[str, Any]] | None = (
        None
    )
    # The texts of an input that content screening reads before anything is queued (prompts,
    # scripts, narration): a rejected input ends `moderation_failed` and never reaches a worker.
    screen: Callable[[dict[str, Any]], list[str]] | None = None
    screen_context: str = "prompt"  # what the texts are, for the screener ("script", ...)
    time_limit: int = 3600  # seconds; the worker kills the task past this
    max_retries: int = 3

    @property
    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.stages]


class ScreeningVerdict(Protocol):
    """What a screener answers (moderation.screening.ScreeningResult is one)."""

    @property
    def status(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def rejected(self) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


Screener = Callable[[list[str], str], ScreeningVerdict]

_types: dict[str, JobType] = {}
_screener: list[Screener] = []


def set_screener(screener: Screener) -> None:
    """Make `screener(texts, context)` judge the texts of every job type that has `screen`.

    The moderation app sets it in its AppConfig.ready, so jobs imports no domain app.
    """
    _screener[:] = [screener]


def screen_input(job_type: JobType, job_input: dict[str, Any]) -> ScreeningVerdict | None:
    """The screener's verdict on a job's input; None when the type has nothing to screen.

    Fails closed: a type with texts to screen and no screener set raises LookupError.
    """
    if job_type.screen is None:
        return None
    texts = [text for text in job_type.screen(job_input) if text and text.strip()]
    if not texts:
        return None
    if not _screener:
        raise LookupError(f"Job type {job_type.name!r} screens its input but no screener is set")
    return _screener[0](texts, job_type.screen_context)


def register(job_type: JobType) -> JobType:
    """Register (or replace) a job type."""
    _types[job_type.name] = job_type
    return job_type


def get(name: str) -> JobType:
    try:
        return _types[name]
    except KeyError:
        raise LookupError(f"Unknown job type {name!r}") from None


def names() -> list[str]:
    return sorted(_types)


def longest_time_limit() -> int:
    return max((t.time_limit for t in _types.values()), default=3600)


def present_result(job_type: str, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A job's result as a client reads it (its type's `present` applied)."""
    if not result:
        return result
    try:
        presenter = get(job_type).present
    except LookupError:
        return result
    return presenter(result) if presenter is not None else result


# The names of the projects jobs belong to (GET /jobs/:id's `projectName`), from the app that
# owns projects: one call for a whole page of jobs.
ProjectNames = Callable[[list[str]], dict[str, str]]
_project_names: list[ProjectNames] = []


def register_project_names(names: ProjectNames) -> None:
    _project_names[:] = [names]


def project_names(project_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted({pid for pid in project_ids if pid})
    if not ids or not _project_names:
        return {}
    return _project_names[0](ids)


def default_apply_retry(
    job_input: dict[str, Any], modified_text: str | None, retry_parameters: dict[str, Any]
) -> dict[str, Any]:
    """`modifiedText` replaces the input's `text`; `retryParameters` update its parameters."""
    updated = dict(job_input)
    if modified_text is not None:
        updated["text"] = modified_text
    if retry_parameters:
        updated["parameters"] = {**updated.get("parameters", {}), **retry_parameters}
    return updated
