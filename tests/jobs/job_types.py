"""Job types the engine's tests run: real stages that write files, report and check cancel.

Imported by the tests and, through tests/jobs/worker_app.py, by the Celery worker processes
the tests start.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from jobs import registry
from jobs.engine import StageContext, StageFailed


def prepare(ctx: StageContext) -> dict[str, Any]:
    path = ctx.workdir / "prepared.txt"
    path.write_text(ctx.input.get("text", ""))
    ctx.log("Prepared the input", chars=len(ctx.input.get("text", "")))
    return {"chars": len(ctx.input.get("text", ""))}


def count(ctx: StageContext) -> dict[str, Any]:
    steps = int(ctx.input.get("steps", 5))
    delay = float(ctx.input.get("delay", 0.0))
    for step in range(steps):
        ctx.check_cancelled()
        (ctx.workdir / f"frame_{step:04d}.txt").write_text(str(step))
        time.sleep(delay)
        ctx.progress((step + 1) / steps, f"Rendering frame {step + 1} of {steps}")
    return {"frames": steps}


def finish(ctx: StageContext) -> dict[str, Any]:
    return {"total": ctx.outputs["count"]["frames"], "chars": ctx.outputs["prepare"]["chars"]}


def check_text(ctx: StageContext) -> dict[str, Any]:
    if "villain" in ctx.input.get("text", ""):
        raise StageFailed(
            "CONTINUITY_VIOLATION",
            "Script contains contradictions with Scene Bible",
            issues=[
                {
                    "type": "name_drift",
                    "severity": "error",
                    "description": "The villain was never introduced",
                }
            ],
        )
    return {"ok": True}


def crash(ctx: StageContext) -> dict[str, Any]:
    raise RuntimeError("the renderer fell over")


def estimate(job_input: dict[str, Any]) -> registry.CostEstimate:
    cost = Decimal(str(job_input.get("cost", "0.10")))
    return registry.CostEstimate(total=cost, breakdown={"work": cost})


STEPS = registry.register(
    registry.JobType(
        name="test_steps",
        stages=(
            registry.Stage("prepare", prepare, weight=1),
            registry.Stage("count", count, weight=8),
            registry.Stage("finish", finish, weight=1),
        ),
        estimate=estimate,
        result=lambda job, outputs: outputs["finish"],
    )
)
CHECKED = registry.register(
    registry.JobType(
        name="test_checked",
        stages=(
            registry.Stage("continuity_validation", check_text),
            registry.Stage("count", count),
        ),
        estimate=estimate,
    )
)
CRASHING = registry.register(
    registry.JobType(name="test_crash", stages=(registry.Stage("crash", crash),), queue="gpu")
)
