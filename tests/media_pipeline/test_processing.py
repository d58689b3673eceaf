"""Video and audio processing operations: each output decodes and has the property asked for."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from media_pipeline import ffmpeg, processing
from media_pipeline.backends.base import Cancelled, NullReporter
from media_pipeline.ffmpeg import FfmpegError
from media_pipeline.packaging import probe
from media_pipeline.processing import (
    AUDIO_OPERATIONS,
    VIDEO_OPERATIONS,
    OperationInvalid,
    ProcessingError,
    describe_operations,
    measure_loudness,
    process_audio,
    process_video,
    validate_audio_operation,
    validate_video_operation,
)
from tests.media_pipeline.reporters import Recorder

REAL_POPEN = subprocess.Popen


def make(path: Path, *args: str) -> Path:
    subprocess.run([*ffmpeg.base_args(), *args, str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sources")
    return {
        # 160x96, 2 s, H.264 + AAC tone.
        "clip": make(
            tmp / "clip.mp4",
            *("-f", "lavfi", "-i", "testsrc2=size=160x96:rate=24:duration=2"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=48000"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest"),
        ),
        # The same picture shaken: a 160x96 window jumping around a slightly larger frame.
        "shaky": make(
            tmp / "shaky.mp4",
            *("-f", "lavfi", "-i", "testsrc2=size=176x112:rate=24:duration=2"),
            *("-vf", "crop=160:96:x='8+8*sin(n*2.3)':y='6+6*cos(n*1.9)'"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        ),
        # A quiet tone (about -30 LUFS), WAV.
        "quiet": make(
            tmp / "quiet.wav",
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=44100"),
            *("-af", "volume=0.04", "-c:a", "pcm_s16le"),
        ),
        # A tone buried in white noise, WAV.
        "noisy": make(
            tmp / "noisy.wav",
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=44100"),
            *("-f", "lavfi", "-i", "anoisesrc=color=white:amplitude=0.2:duration=2:r=44100"),
            *("-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0", "-c:a", "pcm_s16le"),
        ),
    }


def frames_of(path: Path, fmt: str = "rgb24") -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format=fmt) for frame in container.decode(video=0)]


def samples_of(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        rate = container.streams.audio[0].codec_context.sample_rate
        chunks = [f.to_ndarray().astype(np.float64) for f in container.decode(audio=0)]
    data = np.concatenate(chunks, axis=1)
    return data.mean(axis=0), rate


def band_energy(samples: np.ndarray, rate: int, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def motion(frames: list[np.ndarray]) -> float:
    """Mean absolute change between consecutive frames (the centre, away from borders)."""
    crops = [f[16:-16, 24:-24].astype(np.float64) for f in frames]
    return float(np.mean([np.abs(a - b).mean() for a, b in itertools.pairwise(crops)]))


# --- video -----------------------------------------------------------------------------------


def test_enhance_keeps_size_and_length_and_raises_saturation(sources, tmp_path):
    reporter = Recorder()
    out = process_video(
        sources["clip"],
        tmp_path,
        operation="enhance",
        params={"saturation": 1.8},
        reporter=reporter,
    )
    assert out.path == tmp_path / "clip.enhance.mp4"
    assert (out.info.width, out.info.height, out.info.video_codec) == (160, 96, "h264")
    assert abs(out.info.duration - 2.0) < 0.1 and out.info.has_audio

    def chroma(path: Path) -> float:
        frames = frames_of(path, "yuv444p")
        return float(np.mean([np.abs(f[1:].astype(int) - 128).mean() for f in frames]))

    assert chroma(out.path) > chroma(sources["clip"]) * 1.3
    assert out.params["saturation"] == 1.8 and out.params["contrast"] == 1.05
    assert reporter.fractions[-1] == 1.0


@pytest.mark.parametrize("method", ["vidstab", "deshake"])
def test_stabilize_steadies_a_shaky_clip(sources, tmp_path, method):
    if method == "vidstab" and not ffmpeg.has_filter("vidstabdetect"):
        pytest.skip("this ffmpeg build has no vid.stab")
    out = process_video(
        sources["shaky"],
        tmp_path,
        operation="stabilize",
        params={"method": method},
        reporter=NullReporter(),
    )
    assert (out.info.width, out.info.height) == (160, 96)
    assert out.params["method"] == method
    stabilised, shaky = frames_of(out.path), frames_of(sources["shaky"])
    assert len(stabilised) == len(shaky) == 48
    assert motion(stabilised) < motion(shaky) * 0.6


def test_stabilize_auto_picks_vidstab_where_the_build_has_it(sources, tmp_path):
    out = process_video(
        sources["clip"], tmp_path, operation="stabilize", params={}, reporter=NullReporter()
    )
    expected = "vidstab" if ffmpeg.has_filter("vidstabdetect") else "deshake"
    assert out.params["method"] == expected


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"width": 80}, (80, 48)),
        ({"height": 64}, (106, 64)),
        ({"width": 100, "height": 100}, (100, 60)),
    ],
)
def test_resize_keeps_the_aspect_ratio_and_even_sides(sources, tmp_path, params, size):
    out = process_video(
        sources["clip"], tmp_path, operation="resize", params=params, reporter=NullReporter()
    )
    assert (out.info.width, out.info.height) == size
    assert frames_of(out.path)[0].shape == (size[1], size[0], 3)
    assert out.info.audio_codec == "aac"


@pytest.mark.parametrize(
    ("params", "container", "video", "audio"),
    [
        ({"container": "webm"}, "matroska,webm", "vp9", "opus"),
        ({"container": "mov", "crf": 30}, "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
        ({"container": "mp4", "codec": "vp9"}, "mov,mp4,m4a,3gp,3g2,mj2", "vp9", "aac"),
    ],
)
def test_transcode_writes_the_container_and_codec_asked_for(
    sources, tmp_path, params, container, video, audio
):
    out = process_video(
        sources["clip"], tmp_path, operation="transcode", params=params, reporter=NullReporter()
    )
    assert out.path.suffix == "." + params["container"]
    assert (out.info.container, out.info.video_codec, out.info.audio_codec) == (
        container,
        video,
        audio,
    )
    assert len(frames_of(out.path)) == 48


# --- audio -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "suffix", "codec"),
    [
        ("mp3", ".mp3", "mp3"),
        ("aac", ".m4a", "aac"),
        ("wav", ".wav", "pcm_s16le"),
        ("flac", ".flac", "flac"),
        ("ogg", ".ogg", "vorbis"),
    ],
)
def test_audio_transcode_writes_the_format_asked_for(sources, tmp_path, fmt, suffix, codec):
    out = process_audio(
        sources["quiet"],
        tmp_path,
        operation="transcode",
        params={"format": fmt, "bitrate": 96},
        reporter=NullReporter(),
    )
    assert out.path.suffix == suffix
    assert out.info.audio_codec == codec and not out.info.has_video
    assert out.info.sample_rate == 44100
    assert abs(out.info.duration - 2.0) < 0.1


def test_audio_transcode_can_resample_and_downmix_and_read_a_video_file(sources, tmp_path):
    out = process_audio(
        sources["clip"],
        tmp_path,
        operation="transcode",
        params={"format": "wav", "sample_rate": 22050, "channels": 1},
        reporter=NullReporter(),
    )
    assert (out.info.sample_rate, out.info.channels, out.info.has_video) == (22050, 1, False)


def test_normalize_brings_loudness_to_the_target(sources, tmp_path):
    before = measure_loudness(sources["quiet"], NullReporter())
    reporter = Recorder()
    out = process_audio(
        sources["quiet"], tmp_path, operation="normalize", params={}, reporter=reporter
    )
    after = measure_loudness(out.path, NullReporter())
    assert before is not None and after is not None
    assert before < -25
    assert abs(after + 16) < 1.5
    assert out.path.suffix == ".wav" and out.info.sample_rate == 44100
    assert 0.5 in reporter.fractions and reporter.fractions[-1] == 1.0

    out = process_audio(
        sources["quiet"],
        tmp_path,
        operation="normalize",
        params={"target": -23, "format": "flac"},
        reporter=NullReporter(),
    )
    assert abs(measure_loudness(out.path, NullReporter()) + 23) < 1.5
    assert out.info.audio_codec == "flac"


def test_denoise_cuts_the_noise_and_keeps_the_tone(sources, tmp_path):
    out = process_audio(
        sources["noisy"],
        tmp_path,
        operation="denoise",
        params={"strength": 30, "lowpass": 3000},
        reporter=NullReporter(),
    )
    before, rate = samples_of(sources["noisy"])
    after, _ = samples_of(out.path)
    noise = (band_energy(before, rate, 5000, 20000), band_energy(after, rate, 5000, 20000))
    tone = (band_energy(before, rate, 430, 450), band_energy(after, rate, 430, 450))
    assert noise[1] < noise[0] * 0.01
    assert tone[1] > tone[0] * 0.5


def test_a_file_without_the_stream_needed_is_refused(sources, tmp_path):
    with pytest.raises(ProcessingError, match="no video stream"):
        process_video(
            sources["quiet"], tmp_path, operation="enhance", params={}, reporter=NullReporter()
        )
    with pytest.raises(ProcessingError, match="no audio stream"):
        process_audio(
            sources["shaky"], tmp_path, operation="normalize", params={}, reporter=NullReporter()
        )


# --- running ffmpeg --------------------------------------------------------------------------


def test_cancelling_kills_ffmpeg_and_removes_the_partial_output(sources, tmp_path, monkeypatch):
    started: list[subprocess.Popen] = []

    def spy(*args, **kwargs):
        started.append(REAL_POPEN(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(ffmpeg.subprocess, "Popen", spy)
    with pytest.raises(Cancelled):
        process_video(
            sources["clip"],
            tmp_path,
            operation="transcode",
            params={"container": "webm"},
            reporter=Recorder(cancel_at=1),
        )
    assert len(started) == 1 and started[0].poll() is not None
    assert list(tmp_path.iterdir()) == []


def test_a_failing_ffmpeg_raises_with_its_stderr(tmp_path):
    with pytest.raises(FfmpegError) as raised:
        ffmpeg.run(
            ["-i", str(tmp_path / "missing.mp4"), str(tmp_path / "out.mp4")],
            what="Test run failed",
            reporter=NullReporter(),
            duration=1.0,
        )
    assert "missing.mp4" in str(raised.value) and "No such file" in str(raised.value)
    assert str(raised.value).startswith("Test run failed (ffmpeg exit status")


def test_ffmpeg_runs_in_a_process_that_holds_more_than_1024_files(tmp_path):
    # A long-lived worker can hold many descriptors: select() refused any past 1024.
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1200:
        pytest.skip(f"the descriptor limit here is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1050)]
    try:
        out = tmp_path / "tone.wav"
        ffmpeg.run(
            ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", str(out)],
            what="Tone",
            reporter=NullReporter(),
            duration=0.5,
        )
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert probe(out).duration == pytest.approx(0.5, abs=0.05)


# --- validation ------------------------------------------------------------------------------


def test_valid_operations_pass_validation():
    assert validate_video_operation("resize", {"width": 640}) == []
    assert validate_video_operation("enhance", None) == []
    assert validate_video_operation("transcode", {"container": "webm", "crf": 40}) == []
    assert validate_audio_operation("normalize", {"target": -14.5}) == []
    assert validate_audio_operation("transcode", {"format": "FLAC", "sample_rate": 48000}) == []


@pytest.mark.parametrize(
    ("validate", "operation", "params", "field"),
    [
        (validate_video_operation, "explode", {}, "operation"),
        (validate_video_operation, None, {}, "operation"),
        (validate_video_operation, "resize", [], "params"),
        (validate_video_operation, "resize", {}, "params.width"),
        (validate_video_operation, "resize", {"width": 8}, "params.width"),
        (validate_video_operation, "resize", {"width": 640.5}, "params.width"),
        (validate_video_operation, "resize", {"width": "640"}, "params.width"),
        (validate_video_operation, "resize", {"width": True}, "params.width"),
        (validate_video_operation, "resize", {"width": 640, "depth": 3}, "params.depth"),
        (validate_video_operation, "enhance", {"saturation": 9}, "params.saturation"),
        (validate_video_operation, "stabilize", {"method": "magic"}, "params.method"),
        (validate_video_operation, "transcode", {"container": "avi"}, "params.container"),
        (validate_video_operation, "transcode", {"container": "webm", "codec": "h264"},
         "params.codec"),
        (validate_video_operation, "transcode", {"codec": "h264", "crf": 60}, "params.crf"),
        (validate_audio_operation, "resize", {}, "operation"),
        (validate_audio_operation, "transcode", {"format": "wma"}, "params.format"),
        (validate_audio_operation, "transcode", {"bitrate": 1000}, "params.bitrate"),
        (validate_audio_operation, "transcode", {"sample_rate": 12345}, "params.sample_rate"),
        (validate_audio_operation, "normalize", {"target": 0}, "params.target"),
        (validate_audio_operation, "normalize", {"target": float("nan")}, "params.target"),
        (validate_audio_operation, "denoise", {"highpass": 500, "lowpass": 200}, "params.lowpass"),
    ],
)  # fmt: skip
def test_validation_refuses_unknown_operations_and_bad_params(validate, operation, params, field):
    issues = validate(operation, params)
    assert [issue["field"] for issue in issues] == [field]
    assert issues[0]["message"]


def test_running_an_invalid_operation_raises_before_touching_the_file(tmp_path):
    with pytest.raises(OperationInvalid) as raised:
        process_audio(
            tmp_path / "nothing.wav",
            tmp_path,
            operation="normalize",
            params={"target": 5},
            reporter=NullReporter(),
        )
    assert raised.value.issues == [{"field": "params.target", "message": "At most -5."}]


def test_the_operation_tables_describe_themselves_as_json():
    described = describe_operations()
    assert (
        set(described["video"])
        == set(VIDEO_OPERATIONS)
        == {
            "enhance",
            "stabilize",
            "resize",
            "transcode",
        }
    )
    assert (
        set(described["audio"])
        == set(AUDIO_OPERATIONS)
        == {
            "transcode",
            "normalize",
            "denoise",
        }
    )
    assert described["audio"]["normalize"]["params"]["target"]["default"] == -16.0
    assert processing.probe is probe
