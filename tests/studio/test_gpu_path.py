"""The GPU path end to end on the CPU: a video job on the diffusers backend, through the API.

A tiny randomly initialised LTX-Video pipeline stands in for the real weights (the loader's
cache takes it under the configured model's key), so the job runs the real pipeline class,
the real job stages and the real packaging; only the network's size differs.
"""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
import torch

from jobs.models import JobStatus
from media_pipeline.backends import diffusers_models as models
from tests.media_pipeline import tiny_pipelines
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_ltx(settings):
    settings.DIFFUSERS_DEVICE = "cpu"
    settings.DIFFUSERS_LOCAL_FILES_ONLY = True
    settings.DIFFUSERS_VIDEO_MODEL = "tiny-random/ltx"
    settings.DIFFUSERS_VIDEO_PIPELINE = "ltx"
    settings.DIFFUSERS_STEPS = 2
    torch.set_num_threads(2)
    pipe = tiny_pipelines.BUILDERS["ltx"]()
    pipe.set_progress_bar_config(disable=True)
    models.register_pipeline(models.model_config("video").key, pipe)
    yield
    models.clear_pipelines()


def test_a_video_on_the_diffusers_model_goes_to_the_gpu_queue_and_makes_a_clip(user_api, tiny_ltx):
    response = user_api.post(
        "/api/v1/generate/video",
        {
            "prompt": "A lighthouse at dusk",
            "model": "mdl_diffusers_video",
            "parameters": {"duration": 1, "resolution": "160x128", "fps": 8, "voice": "none"},
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    job = run(response.json()["data"]["jobId"])
    assert job.queue == "gpu"
    assert job.status == JobStatus.COMPLETED, job.error
    manifest = job.result["manifest"]
    assert (manifest["backend"], manifest["modelId"]) == ("diffusers", "tiny-random/ltx")
    assert manifest["parameters"]["pipeline"] == "LTXPipeline"
    assert "torch" in manifest["versions"] and "diffusers" in manifest["versions"]
    assert (job.result["width"], job.result["height"]) == (160, 128)

    # The clip: a playable MP4 of the pipeline's frames, 1 s at 8 fps, at the asked size.
    clip = user_api.get(f"/api/v1/generate/clip/{job.result['clipId']}").json()["data"]
    assert clip["resolution"] == "160x128"
    with av.open(io.BytesIO(body_bytes(fetch(user_api, clip["fileUrl"])))) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 160, 128)
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video)]
    assert len(frames) == 8
    # A random network's frames are noise, not a blank or frozen picture.
    assert all(frame.std() > 5 for frame in frames)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 1
