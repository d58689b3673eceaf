"""The analysis job: image palettes (clustered), tones and descriptions; video and audio
technical data with a thumbnail or waveform; document summaries; a description from an
OpenAI-compatible model when one is configured; failures recorded with their reason."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from assets import analysis, embeddings
from assets.models import Asset
from tests.assets import files

RED, BLUE = (220, 30, 30), (30, 70, 220)


def test_a_two_colour_image_lists_both_colours_not_their_mean(tmp_path):
    path = tmp_path / "flag.png"
    path.write_bytes(files.png(90, 30, colours=(RED, RED, BLUE)))
    result = analysis.analyse_image(path)
    palette = result.technical["palette"]
    assert [c["name"] for c in palette] == ["red", "blue"]
    assert [c["share"] for c in palette] == pytest.approx([2 / 3, 1 / 3], abs=0.02)
    assert palette[0]["hex"] == "#dc1e1e"
    assert "purple" not in {c["name"] for c in palette}  # the mean of red and blue
    assert result.technical["dimensions"] == {"width": 90, "height": 30}
    assert result.technical["colorDepth"] == 24
    assert "red and blue" in result.analysis["description"]


@pytest.mark.parametrize(
    ("colour", "level", "tone"),
    [((245, 245, 240), "bright", "neutral"), ((10, 10, 20), "dark", "neutral"),
     ((250, 120, 10), "medium", "warm"), ((20, 120, 230), "medium", "cool")],
)  # fmt: skip
def test_brightness_and_tone(tmp_path, colour, level, tone):
    path = tmp_path / "x.png"
    Image.new("RGB", (20, 20), colour).save(path)
    style = analysis.analyse_image(path).analysis["styleAnalysis"]
    assert (style["brightnessLevel"], style["colorTone"]) == (level, tone)


def test_a_video_gets_its_technical_data_and_a_thumbnail(user, upload):
    upload(user, files.mp4(frames=24, size=(64, 48), fps=12), "clip.mp4")
    asset = Asset.objects.get()
    assert asset.status == "active", asset.status_reason
    technical = asset.technical
    assert technical["resolution"] == "64x48"
    assert technical["codecs"] == {"video": "h264"}
    assert technical["duration"] == pytest.approx(2.0, abs=0.2)
    assert technical["frameRate"] == pytest.approx(12, abs=0.1)
    assert technical["bitrate"] > 0
    with default_storage.open(asset.thumbnail, "rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
    assert "orange" in {c["name"] for c in technical["palette"]}


def test_audio_gets_a_waveform_image(user, upload):
    upload(user, files.wav(seconds=1.0), "tone.wav")
    asset = Asset.objects.get()
    assert asset.technical["duration"] == pytest.approx(1.0, abs=0.05)
    assert asset.technical["channels"] == 1
    with default_storage.open(asset.thumbnail, "rb") as handle, Image.open(handle) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert image.size == analysis.WAVEFORM_SIZE
    # A steady tone draws a band across the whole width around the middle line.
    blue_columns = (pixels[:, :, 2] > 200).any(axis=0)
    assert blue_columns.mean() > 0.95
    assert "mono" in asset.analysis["tags"]


def test_a_pdf_gets_a_summary_from_its_text(user, upload):
    upload(user, files.pdf("The lighthouse keeper waits for the storm."), "script.pdf")
    asset = Asset.objects.get()
    assert asset.technical["pages"] == 1
    assert "lighthouse keeper" in asset.analysis["summary"]
    assert "lighthouse" in asset.analysis["keywords"]


def test_summaries_pick_the_sentences_about_the_main_subject():
    text = (
        "Weather was mild. The harbour storm destroyed the harbour wall. "
        "Lunch was at noon. Fishermen rebuilt the harbour after the storm."
    )
    facts = analysis.summarise(text)
    assert facts["keywords"][:2] == ["harbour", "storm"]
    assert "harbour storm destroyed" in facts["summary"]


def test_a_file_that_cannot_be_analysed_leaves_the_asset_failed_with_a_reason(
    user, upload, django_capture_on_commit_callbacks
):
    response = upload(user, files.png(), "a.png", analyse=False)
    asset = Asset.objects.get(pk=response.json()["data"]["id"])
    default_storage.delete(asset.file)
    default_storage.save(asset.file, ContentFile(b"corrupted after the upload"))
    from tests.assets.conftest import run_analysis

    with django_capture_on_commit_callbacks(execute=True):
        run_analysis()
    asset.refresh_from_db()
    assert asset.status == "failed"
    assert asset.status_reason
    assert asset.embedding_status == "failed"


class _FakeVisionModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible /chat/completions that describes what it was sent."""

    requests: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        answer = {"description": "A crimson banner against a cobalt sky.",
                  "tags": ["Banner", "crimson", "sky"]}  # fmt: skip
        payload = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": json.dumps(answer)}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def vision_model(settings):
    server = HTTPServer(("127.0.0.1", 0), _FakeVisionModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeVisionModel.requests = []
    settings.LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.LLM_MODEL = "vision-test"
    yield _FakeVisionModel.requests
    server.shutdown()


def test_a_configured_vision_model_writes_the_description(user, upload, vision_model):
    upload(user, files.png(colours=(RED, RED, BLUE)), "banner.png")
    asset = Asset.objects.get()
    assert asset.analysis["description"] == "A crimson banner against a cobalt sky."
    assert asset.analysis["tags"] == ["banner", "crimson", "sky"]
    assert asset.analysis["source"] == "model"
    sent = vision_model[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["model"] == "vision-test"
    image_part = sent["body"]["messages"][0]["content"][1]
    assert image_part["image_url"]["url"].startswith("data:image/jpeg;base64,")
    # The measurements stay, and the embedding is made of the model's words too.
    assert [c["name"] for c in asset.technical["palette"]] == ["red", "blue"]


def test_an_unreachable_model_keeps_the_measured_description(user, upload, settings):
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    settings.LLM_TIMEOUT_SECONDS = 2
    upload(user, files.png(), "a.png")
    asset = Asset.objects.get()
    assert asset.status == "active"
    assert asset.analysis["source"] == "measured"


def test_the_numpy_encoder_matches_sentence_transformers():
    sentence_transformers = pytest.importorskip(
        "sentence_transformers", reason="the gpu extra (sentence-transformers) is not installed"
    )
    texts = ["urban action hero with dark clothing", "a quiet lake", "x" * 3000]
    reference = sentence_transformers.SentenceTransformer(
        str(embeddings.model_path()), device="cpu"
    ).encode(texts, normalize_embeddings=True)
    ours = embeddings.encoder().encode(texts)
    assert ours.shape == (3, 384)
    assert np.abs(ours - reference).max() < 1e-4


def test_the_encoder_is_loaded_once_per_process():
    assert embeddings.encoder() is embeddings.encoder()
    assert Path(embeddings.model_path(), "model.safetensors").exists()
