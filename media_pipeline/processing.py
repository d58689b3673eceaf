"""Processing operations on uploaded media (POST /ai/video, POST /ai/audio): file in, file out.

Each operation is an ffmpeg filter chain. The operations and their parameters are declared
once, in VIDEO_OPERATIONS and AUDIO_OPERATIONS, so the API validates a request with the same
table the worker runs (`validate_video_operation`, `validate_audio_operation`) and a bad
request is refused before it is queued. Progress is ffmpeg's `out_time` against the input's
duration; cancellation kills ffmpeg and removes the partial output.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from media_pipeline import ffmpeg
from media_pipeline.backends.base import Reporter
from media_pipeline.packaging import MediaInfo, probe
from media_pipeline.request import InputInvalid


class ProcessingError(RuntimeError):
    """The source cannot be processed (no video or audio stream to work on, unreadable)."""


class OperationInvalid(InputInvalid):
    """An operation or parameters the pipeline refuses; `issues` name each field and why."""


@dataclass(frozen=True)
class Param:
    """One parameter of an operation: its type, default and allowed values."""

    kind: Literal["int", "float", "str"]
    default: Any = None  # None: optional, the operation decides (e.g. "same as the source")
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    help: str = ""

    def check(self, value: Any) -> tuple[Any, str | None]:
        """(the value in its proper type, None) or (None, why it is refused)."""
        if self.kind == "str":
            if not isinstance(value, str):
                return None, "Must be a string."
            value = value.strip().lower()
        elif isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"Must be a number{' (a whole one)' if self.kind == 'int' else ''}."
        elif not math.isfinite(value):
            return None, "Must be a finite number."
        elif self.kind == "int":
            if value != int(value):
                return None, "Must be a whole number."
            value = int(value)
        else:
            value = float(value)
        if self.choices and value not in self.choices:
            return None, f"One of: {', '.join(str(c) for c in self.choices)}."
        if self.minimum is not None and value < self.minimum:
            return None, f"At least {self.minimum:g}."
        if self.maximum is not None and value > self.maximum:
            return None, f"At most {self.maximum:g}."
        return value, None

    def describe(self) -> dict[str, Any]:
        """JSON-safe description (for the API's documentation of the operations)."""
        out: dict[str, Any] = {"type": self.kind, "default": self.default, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Operation:
    """A processing operation: its parameters, and checks that involve several of them."""

    params: dict[str, Param]
    help: str = ""
    # (resolved params) -> issues; runs only when every parameter is valid on its own.
    check: Callable[[dict[str, Any]], list[dict[str, str]]] = field(
        default=lambda params: [], repr=False
    )


CONTAINER_CODECS = {"mp4": ("h264", "vp9"), "webm": ("vp9",), "mov": ("h264",)}
AUDIO_FORMATS = ("mp3", "aac", "wav", "flac", "ogg")
SAMPLE_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)


def _check_resize(p: dict[str, Any]) -> list[dict[str, str]]:
    if p["width"] is None and p["height"] is None:
        return [{"field": "params.width", "message": "Give a width, a height or both."}]
    return []


def _check_transcode_video(p: dict[str, Any]) -> list[dict[str, str]]:
    codecs = CONTAINER_CODECS[p["container"]]
    if p["codec"] is not None and p["codec"] not in codecs:
        message = f"A {p['container']} file takes {' or '.join(codecs)}."
        return [{"field": "params.codec", "message": message}]
    codec = p["codec"] or codecs[0]
    if codec == "h264" and p["crf"] is not None and p["crf"] > 51:
        return [{"field": "params.crf", "message": "At most 51 for h264."}]
    return []


def _check_denoise(p: dict[str, Any]) -> list[dict[str, str]]:
    if p["lowpass"] and p["lowpass"] <= p["highpass"]:
        return [{"field": "params.lowpass", "message": "Above the highpass frequency (or 0)."}]
    return []


VIDEO_OPERATIONS: dict[str, Operation] = {
    "enhance": Operation(
        help="Denoise, sharpen, and lift contrast and colour (H.264 MP4 out).",
        params={
            "denoise": Param("float", 1.5, 0, 10, help="hqdn3d spatial strength; 0: off"),
            "sharpen": Param("float", 0.8, 0, 3, help="unsharp luma amount; 0: off"),
            "contrast": Param("float", 1.05, 0.5, 2),
            "brightness": Param("float", 0.0, -0.5, 0.5),
            "saturation": Param("float", 1.15, 0, 3),
        },
    ),
    "stabilize": Operation(
        help="Remove camera shake (vid.stab two-pass where the build has it, else deshake).",
        params={
            "method": Param("str", "auto", choices=("auto", "vidstab", "deshake")),
            "smoothing": Param("int", 15, 1, 100, help="frames averaged (vidstab)"),
            "shakiness": Param("int", 5, 1, 10, help="how shaky the source is (vidstab)"),
        },
    ),
    "resize": Operation(
        help="Scale to a width and/or height, keeping the aspect ratio (fits inside both).",
        params={
            "width": Param("int", None, 16, 7680),
            "height": Param("int", None, 16, 4320),
        },
        check=_check_resize,
    ),
    "transcode": Operation(
        help="Re-encode into another container and codec.",
        params={
            "container": Param("str", "mp4", choices=tuple(CONTAINER_CODECS)),
            "codec": Param("str", None, choices=("h264", "vp9"), help="default: the container's"),
            "crf": Param("int", None, 0, 63, help="quality; default 23 (h264) or 32 (vp9)"),
        },
        check=_check_transcode_video,
    ),
}

AUDIO_OPERATIONS: dict[str, Operation] = {
    "transcode": Operation(
        help="Re-encode into another audio format.",
        params={
            "format": Param("str", "mp3", choices=AUDIO_FORMATS),
            "bitrate": Param("int", 192, 32, 320, help="kbit/s (mp3, aac, ogg)"),
            "sample_rate": Param("int", None, choices=SAMPLE_RATES, help="default: the source's"),
            "channels": Param("int", None, 1, 2, help="default: the source's"),
        },
    ),
    "normalize": Operation(
        help="EBU R128 loudness normalisation (two-pass loudnorm).",
        params={
            "target": Param("float", -16.0, -70, -5, help="integrated loudness, LUFS"),
            "true_peak": Param("float", -1.5, -9, 0, help="dBTP"),
            "lra": Param("float", 11.0, 1, 50, help="loudness range, LU"),
            "format": Param("str", None, choices=AUDIO_FORMATS, help="default: the source's"),
        },
    ),
    "denoise": Operation(
        help="FFT denoise plus a high-pass (rumble) and optional low-pass (hiss) filter.",
        params={
            "strength": Param("float", 12.0, 1, 97, help="afftdn noise reduction, dB"),
            "noise_floor": Param("float", -50.0, -80, -20, help="afftdn noise floor, dB"),
            "highpass": Param("int", 80, 0, 1000, help="Hz; 0: off"),
            "lowpass": Param("int", 0, 0, 24000, help="Hz; 0: off"),
            "format": Param("str", None, choices=AUDIO_FORMATS, help="default: the source's"),
        },
        check=_check_denoise,
    ),
}


def _validate(
    table: Mapping[str, Operation], operation: Any, params: Any
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    if not isinstance(operation, str) or operation not in table:
        return {}, [{"field": "operation", "message": f"One of: {', '.join(table)}."}]
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return {}, [{"field": "params", "message": "Must be an object."}]
    spec = table[operation]
    issues = [
        {"field": f"params.{name}", "message": f"Unknown parameter for {operation}."}
        for name in params
        if name not in spec.params
    ]
    resolved: dict[str, Any] = {}
    for name, param in spec.params.items():
        if params.get(name) is None:
            resolved[name] = param.default
            continue
        value, problem = param.check(params[name])
        if problem:
            issues.append({"field": f"params.{name}", "message": problem})
        resolved[name] = value
    if not issues:
        issues = spec.check(resolved)
    return resolved, issues


def validate_video_operation(operation: Any, params: Any) -> list[dict[str, str]]:
    """Every reason to refuse this video operation (empty when it can run)."""
    return _validate(VIDEO_OPERATIONS, operation, params)[1]


def validate_audio_operation(operation: Any, params: Any) -> list[dict[str, str]]:
    """Every reason to refuse this audio operation (empty when it can run)."""
    return _validate(AUDIO_OPERATIONS, operation, params)[1]


def _resolve(table: Mapping[str, Operation], operation: str, params: Any) -> dict[str, Any]:
    resolved, issues = _validate(table, operation, params)
    if issues:
        raise OperationInvalid(issues)
    return resolved


@dataclass(frozen=True)
class ProcessedFile:
    """The output of a processing operation, with the parameters it ran with."""

    path: Path
    operation: str
    params: dict[str, Any]
    info: MediaInfo


def _source(src: Path, *, need: Literal["video", "audio"]) -> MediaInfo:
    try:
        info = probe(src)
    except Exception as error:  # PyAV raises its own error types per cause
        raise ProcessingError(f"Cannot read {Path(src).name}: {error}") from error
    if need == "video" and not info.has_video:
        raise ProcessingError(f"{Path(src).name} has no video stream.")
    if need == "audio" and not info.has_audio:
        raise ProcessingError(f"{Path(src).name} has no audio stream.")
    return info


@contextlib.contextmanager
def _output(dst: Path) -> Iterator[Path]:
    """Remove `dst` if the block fails (a killed ffmpeg leaves half a file)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield dst
    except BaseException:
        dst.unlink(missing_ok=True)
        raise


def _h264(crf: int = 20) -> list[str]:
    return ["-c:v", "libx264", "-preset", "fast", "-crf", str(crf), "-pix_fmt", "yuv420p"]


AAC = ["-c:a", "aac", "-b:a", "160k"]
MP4_FLAGS = ["-movflags", "+faststart"]


def process_video(
    src: Path, dst_dir: Path, *, operation: str, params: Mapping[str, Any], reporter: Reporter
) -> ProcessedFile:
    """Run one video operation on `src`; the output is `dst_dir/<stem>.<operation>.<ext>`.

    Raises OperationInvalid (bad operation/params), ProcessingError (unusable source),
    FfmpegError (ffmpeg failed, with its stderr) or Cancelled; none leaves an output behind.
    """
    p = _resolve(VIDEO_OPERATIONS, operation, params)
    src = Path(src)
    source = _source(src, need="video")
    ext = p["container"] if operation == "transcode" else "mp4"
    dst = Path(dst_dir) / f"{src.stem}.{operation}.{ext}"
    inputs = ["-i", str(src.resolve())]
    maps = ["-map", "0:v:0", "-map", "0:a:0?"]
    what = f"Video {operation} failed"
    reporter.log(f"Video {operation}", params=p)
    with _output(dst):
        if operation == "enhance":
            chain = []
            if p["denoise"]:
                d = p["denoise"]
                chain.append(f"hqdn3d={d:g}:{d * 0.75:g}:{d * 1.5:g}:{d * 1.125:g}")
            if p["sharpen"]:
                chain.append(f"unsharp=5:5:{p['sharpen']:g}:5:5:0")
            chain.append(
                f"eq=contrast={p['contrast']:g}:brightness={p['brightness']:g}"
                f":saturation={p['saturation']:g}"
            )
            args = [*inputs, *maps, "-vf", ",".join(chain), *_h264(), *AAC, *MP4_FLAGS, str(dst)]
            ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        elif operation == "stabilize":
            method = p["method"]
            if method == "auto":
                method = "vidstab" if ffmpeg.has_filter("vidstabdetect") else "deshake"
            if method == "vidstab" and not ffmpeg.has_filter("vidstabdetect"):
                raise ProcessingError("This ffmpeg build has no vid.stab; use method=deshake.")
            p["method"] = method
            if method == "vidstab":
                _vidstab(inputs, maps, dst, p, source, reporter, what)
            else:
                args = [*inputs, *maps, "-vf", "deshake", *_h264(), *AAC, *MP4_FLAGS, str(dst)]
                ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        elif operation == "resize":
            width, height = p["width"], p["height"]
            if width and height:  # fit inside the box, keeping the aspect ratio
                scale = (
                    f"scale={width}:{height}:force_original_aspect_ratio=decrease"
                    ":force_divisible_by=2"
                )
            else:  # -2: the other side follows the aspect ratio, rounded to even
                scale = f"scale={width or -2}:{height or -2}"
            args = [*inputs, *maps, "-vf", scale, *_h264(), *AAC, *MP4_FLAGS, str(dst)]
            ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        elif operation == "transcode":
            codec = p["codec"] or CONTAINER_CODECS[p["container"]][0]
            p["codec"] = codec
            if codec == "h264":
                p["crf"] = 23 if p["crf"] is None else p["crf"]
                video = _h264(p["crf"])
            else:
                p["crf"] = 32 if p["crf"] is None else p["crf"]
                # Constant quality (-b:v 0); cpu-used 5 and row-mt keep VP9 at a usable speed.
                video = ["-c:v", "libvpx-vp9", "-crf", str(p["crf"]), "-b:v", "0"]
                video += ["-deadline", "good", "-cpu-used", "5", "-row-mt", "1"]
                video += ["-pix_fmt", "yuv420p"]
            audio = ["-c:a", "libopus", "-b:a", "128k"] if p["container"] == "webm" else AAC
            flags = MP4_FLAGS if p["container"] in ("mp4", "mov") else []
            args = [*inputs, *maps, *video, *audio, *flags, str(dst)]
            ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        else:  # pragma: no cover - _resolve refuses unknown operations
            raise AssertionError(operation)
        info = _output_info(dst)
    return ProcessedFile(path=dst, operation=operation, params=p, info=info)


def _vidstab(
    inputs: list[str],
    maps: list[str],
    dst: Path,
    p: dict[str, Any],
    source: MediaInfo,
    reporter: Reporter,
    what: str,
) -> None:
    """Two passes: measure the motion, then smooth it out (and sharpen what zoom softens)."""
    with tempfile.TemporaryDirectory(prefix="vidstab-") as tmp:
        # Run in the temporary directory: a relative transforms path needs no escaping.
        detect = f"vidstabdetect=shakiness={p['shakiness']}:accuracy=15:result=transforms.trf"
        ffmpeg.run(
            [*inputs, "-map", "0:v:0", "-vf", detect, "-f", "null", "-"],
            what=what,
            reporter=reporter,
            duration=source.duration,
            span=(0.0, 0.4),
            cwd=Path(tmp),
        )
        transform = (
            f"vidstabtransform=input=transforms.trf:smoothing={p['smoothing']}"
            ":optzoom=1:interpol=bicubic,unsharp=5:5:0.8:3:3:0.4"
        )
        args = [*inputs, *maps, "-vf", transform, *_h264(), *AAC, *MP4_FLAGS, str(dst.resolve())]
        ffmpeg.run(
            args,
            what=what,
            reporter=reporter,
            duration=source.duration,
            span=(0.4, 1.0),
            cwd=Path(tmp),
        )


AUDIO_CODECS: dict[str, tuple[str, list[str]]] = {
    # format: (file extension, encoder arguments; "{bitrate}" filled in)
    "mp3": ("mp3", ["-c:a", "libmp3lame", "-b:a", "{bitrate}k"]),
    "aac": ("m4a", ["-c:a", "aac", "-b:a", "{bitrate}k", *MP4_FLAGS]),
    "ogg": ("ogg", ["-c:a", "libvorbis", "-b:a", "{bitrate}k"]),
    "wav": ("wav", ["-c:a", "pcm_s16le"]),
    # loudnorm hands over frames of any length; flac wants blocks it can encode.
    "flac": ("flac", ["-c:a", "flac", "-sample_fmt", "s16", "-frame_size", "4096"]),
}
SOURCE_FORMATS = {"mp3": "mp3", "m4a": "aac", "aac": "aac", "ogg": "ogg", "oga": "ogg"}
SOURCE_FORMATS |= {"wav": "wav", "flac": "flac"}


def _audio_out(fmt: str, bitrate: int) -> tuple[str, list[str]]:
    ext, args = AUDIO_CODECS[fmt]
    return ext, [a.replace("{bitrate}", str(bitrate)) for a in args]


def _codec_rate(fmt: str, rate: int | None) -> int:
    """A sample rate the output format's encoder takes (mp3 and vorbis have fixed lists)."""
    rate = rate or 48000
    if fmt == "mp3" and rate not in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000):
        return 48000 if rate > 48000 else 44100
    return min(rate, 96000) if fmt in ("wav", "flac") else min(rate, 48000)


def process_audio(
    src: Path, dst_dir: Path, *, operation: str, params: Mapping[str, Any], reporter: Reporter
) -> ProcessedFile:
    """Run one audio operation on `src` (an audio or video file; its first audio stream).

    The output is `dst_dir/<stem>.<operation>.<ext>`. Raises as process_video does.
    """
    p = _resolve(AUDIO_OPERATIONS, operation, params)
    src = Path(src)
    source = _source(src, need="audio")
    fmt = p["format"] or SOURCE_FORMATS.get(src.suffix.lower().lstrip("."), "wav")
    p["format"] = fmt
    ext, codec = _audio_out(fmt, p.get("bitrate") or 192)
    dst = Path(dst_dir) / f"{src.stem}.{operation}.{ext}"
    inputs = ["-i", str(src.resolve()), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    rate = _codec_rate(fmt, p.get("sample_rate") or source.sample_rate)
    what = f"Audio {operation} failed"
    reporter.log(f"Audio {operation}", params=p)
    with _output(dst):
        if operation == "transcode":
            channels = ["-ac", str(p["channels"])] if p["channels"] else []
            args = [*inputs, *codec, "-ar", str(rate), *channels, str(dst)]
            ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        elif operation == "normalize":
            wanted = f"I={p['target']:g}:TP={p['true_peak']:g}:LRA={p['lra']:g}"
            measured = _loudnorm_measure(
                inputs, wanted, reporter=reporter, duration=source.duration, span=(0.0, 0.5)
            )
            if measured is not None:  # second pass: one linear gain, the dynamics kept
                loudnorm = (
                    f"loudnorm={wanted}:measured_I={measured['input_i']}"
                    f":measured_TP={measured['input_tp']}:measured_LRA={measured['input_lra']}"
                    f":measured_thresh={measured['input_thresh']}"
                    f":offset={measured['target_offset']}:linear=true"
                )
            else:  # silence or an unreadable measurement: loudnorm's one-pass dynamic mode
                loudnorm = f"loudnorm={wanted}"
            # loudnorm works at 192 kHz; -ar brings the output back to the source's rate.
            args = [*inputs, "-af", loudnorm, *codec, "-ar", str(rate), str(dst)]
            ffmpeg.run(
                args, what=what, reporter=reporter, duration=source.duration, span=(0.5, 1.0)
            )
        elif operation == "denoise":
            chain = []
            if p["highpass"]:
                chain.append(f"highpass=f={p['highpass']}")
            if p["lowpass"]:
                chain.append(f"lowpass=f={p['lowpass']}")
            chain.append(f"afftdn=nr={p['strength']:g}:nf={p['noise_floor']:g}")
            args = [*inputs, "-af", ",".join(chain), *codec, "-ar", str(rate), str(dst)]
            ffmpeg.run(args, what=what, reporter=reporter, duration=source.duration)
        else:  # pragma: no cover - _resolve refuses unknown operations
            raise AssertionError(operation)
        info = _output_info(dst)
    return ProcessedFile(path=dst, operation=operation, params=p, info=info)


def _loudnorm_measure(
    inputs: list[str],
    wanted: str,
    *,
    reporter: Reporter,
    duration: float,
    span: tuple[float, float] = (0.0, 1.0),
) -> dict[str, str] | None:
    """loudnorm's first pass: the input's loudness figures, or None if not finite."""
    tail = ffmpeg.run(
        [*inputs, "-af", f"loudnorm={wanted}:print_format=json", "-f", "null", "-"],
        what="Loudness measurement failed",
        reporter=reporter,
        duration=duration,
        span=span,
        loglevel="info",
    )
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", tail)
    if match is None:
        return None
    values = json.loads(match.group(0))
    keys = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
    try:
        if not all(math.isfinite(float(values[key])) for key in keys):
            return None
    except (KeyError, ValueError):
        return None
    return {key: values[key] for key in keys}


def measure_loudness(path: Path, reporter: Reporter) -> float | None:
    """Integrated loudness of a file's first audio stream in LUFS (None: silence)."""
    inputs = ["-i", str(Path(path).resolve()), "-map", "0:a:0", "-vn"]
    measured = _loudnorm_measure(
        inputs, "I=-16:TP=-1.5:LRA=11", reporter=reporter, duration=probe(path).duration
    )
    return float(measured["input_i"]) if measured else None


def _output_info(dst: Path) -> MediaInfo:
    try:
        return probe(dst)
    except Exception as error:  # PyAV raises its own error types per cause
        raise ProcessingError(f"The output {dst.name} cannot be read back: {error}") from error


def describe_operations() -> dict[str, Any]:
    """Both tables as JSON (for the API's documentation and a client's form)."""

    def table(ops: Mapping[str, Operation]) -> dict[str, Any]:
        return {
            name: {"help": op.help, "params": {k: v.describe() for k, v in op.params.items()}}
            for name, op in ops.items()
        }

    return {"video": table(VIDEO_OPERATIONS), "audio": table(AUDIO_OPERATIONS)}


__all__ = [
    "AUDIO_OPERATIONS",
    "VIDEO_OPERATIONS",
    "OperationInvalid",
    "ProcessedFile",
    "ProcessingError",
    "describe_operations",
    "measure_loudness",
    "process_audio",
    "process_video",
    "validate_audio_operation",
    "validate_video_operation",
]
