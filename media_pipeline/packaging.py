"""Packaging: frames (and a soundtrack) in, a finished video out: MP4, HLS, thumbnail, poster.

Frames stream into ONE ffmpeg process, which encodes each rendition once and hands the
encoded streams to the tee muxer: the full-size H.264 stream goes both into `video.mp4` and
into the top HLS variant (no second encode of the big picture, no second pass over the
frames), the small rendition is scaled from the same YUV frames and encoded with the same
preset at a higher CRF (and checked to need less bandwidth). Thumbnail and poster are made
with Pillow from frames kept in memory, so nothing is decoded again. Everything is written
into a staging directory inside `outdir` and moved into place only when complete, so a
failed or cancelled run leaves no partial outputs.

Layout of `outdir` afterwards:

    video.mp4             H.264 High yuv420p + AAC 48 kHz stereo, moov first (+faststart)
    hls/master.m3u8       one #EXT-X-STREAM-INF per rendition
    hls/v0/index.m3u8     full size, MPEG-TS segments of ~4 s
    hls/v1/index.m3u8     the lower rendition (360p, or half size), same segment boundaries
    thumbnail.jpg         320 px wide, from ~1 s in (the middle of shorter videos)
    poster.jpg            full size, the most detailed of a few evenly spaced frames
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from media_pipeline import ffmpeg
from media_pipeline.backends.base import Reporter

# The main (full-size) rendition: the encode that dominates the cost. bench/packaging_speed.py
# runs the bare-ffmpeg comparison with exactly these arguments.
MAIN_PRESET = "veryfast"
MAIN_CRF = 23
# The lower rendition is a quarter of the pixels or less, so its encode costs a fraction of
# the main one even with the main one's preset. The preset is the same on purpose: ultrafast
# (no CABAC, no B-frames) spent more bits on 640x360 than veryfast on 1280x720, and an
# adaptive player then took the small picture for the better stream. A higher CRF and a cap
# keep it the cheaper stream; `_ordered_renditions` checks that it is, and re-encodes it
# under the main one's bitrate when a picture defeats the rule.
LOW_PRESET = "veryfast"
LOW_CRF = 28
LOW_BITS_PER_PIXEL = 0.1  # the lower rendition's cap: bits per pixel per frame, at least 200k
AUDIO_BITRATE = "128k"
AUDIO_RATE = 48000
SEGMENT_SECONDS = 4
LOW_TARGET_SHORT_SIDE = 360
MIN_RENDITION_SIDE = 128
THUMBNAIL_WIDTH = 320
PROGRESS_EVERY = 12  # frames
OUTPUT_NAMES = ("video.mp4", "hls", "thumbnail.jpg", "poster.jpg")


# PyAV names the decoder; for these the codec's own name is what callers expect.
DECODER_CODECS = {"mp3float": "mp3", "mp2float": "mp2", "aac_fixed": "aac", "libdav1d": "av1"}


class PackagingError(RuntimeError):
    """The frames could not be packaged (wrong frames, or outputs that fail verification)."""


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds, as read back with PyAV."""

    path: Path
    container: str
    duration: float  # seconds
    bitrate: int  # bits per second, the whole file
    size: int  # bytes
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    video_profile: str | None = None
    pixel_format: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (for a job's result)."""
        return {
            "container": self.container,
            "duration": round(self.duration, 3),
            "bitrate": self.bitrate,
            "size": self.size,
            "hasVideo": self.has_video,
            "hasAudio": self.has_audio,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "videoCodec": self.video_codec,
            "videoProfile": self.video_profile,
            "pixelFormat": self.pixel_format,
            "audioCodec": self.audio_codec,
            "sampleRate": self.sample_rate,
            "channels": self.channels,
        }


@dataclass(frozen=True)
class Rendition:
    """One HLS variant: its picture size, bandwidth and files."""

    width: int
    height: int
    bandwidth: int  # peak segment bitrate, bits per second (BANDWIDTH)
    average_bandwidth: int  # AVERAGE-BANDWIDTH
    codecs: str  # RFC 6381, e.g. "avc1.64001f,mp4a.40.2"
    playlist: Path
    segments: tuple[Path, ...]


@dataclass(frozen=True)
class PackagedVideo:
    """The files a packaging run made, and what the MP4 holds."""

    mp4: Path
    master_playlist: Path
    renditions: tuple[Rendition, ...]
    thumbnail: Path
    poster: Path
    info: MediaInfo

    @property
    def hls_files(self) -> list[Path]:
        """The master playlist, then each variant's playlist and segments."""
        files = [self.master_playlist]
        for rendition in self.renditions:
            files += [rendition.playlist, *rendition.segments]
        return files

    @property
    def files(self) -> list[Path]:
        """Every file made."""
        return [self.mp4, *self.hls_files, self.thumbnail, self.poster]


def probe(path: Path | str) -> MediaInfo:
    """Read a media file's streams and duration with PyAV; raises av.FFmpegError if unreadable."""
    path = Path(path)
    with av.open(str(path)) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = container.duration / 1e6 if container.duration else 0.0
        if not duration:  # some containers (raw streams) only know their streams' durations
            for stream in container.streams:
                if stream.duration and stream.time_base:
                    duration = max(duration, float(stream.duration * stream.time_base))
        size = path.stat().st_size
        bitrate = container.bit_rate or (round(size * 8 / duration) if duration else 0)
        info: dict[str, Any] = {}
        if video is not None:
            rate = video.average_rate or video.guessed_rate
            info.update(
                width=video.codec_context.width,
                height=video.codec_context.height,
                fps=round(float(rate), 3) if rate else None,
                video_codec=DECODER_CODECS.get(video.codec_context.name, video.codec_context.name),
                video_profile=video.codec_context.profile,
                pixel_format=getattr(video.codec_context.format, "name", None),
            )
        if audio is not None:
            info.update(
                audio_codec=DECODER_CODECS.get(audio.codec_context.name, audio.codec_context.name),
                sample_rate=audio.codec_context.sample_rate,
                channels=audio.codec_context.channels,
            )
        return MediaInfo(
            path=path,
            container=container.format.name,
            duration=duration,
            bitrate=int(bitrate),
            size=size,
            has_video=video is not None,
            has_audio=audio is not None,
            **info,
        )


def low_rendition_size(width: int, height: int) -> tuple[int, int]:
    """The lower HLS rendition: 360p from 720p up, else half size; sides ≥ 128 px and even.

    For a picture whose short side is already 128 px or less, that is its own size (the lower
    rendition then differs only in bitrate).
    """
    short = min(width, height)
    target = LOW_TARGET_SHORT_SIDE if short >= 2 * LOW_TARGET_SHORT_SIDE else short / 2
    scale = min(1.0, max(target, MIN_RENDITION_SIDE) / short)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def main_video_args(fps: int) -> list[str]:
    """x264 settings of the full-size rendition (also the bare benchmark's settings).

    A fixed GOP of one segment (no scene-cut keyframes) puts a keyframe at every segment
    boundary in both renditions, so HLS segments align across variants.
    """
    return [
        "-c:v:0", "libx264", "-preset:v:0", MAIN_PRESET, "-crf:v:0", str(MAIN_CRF),
        "-profile:v:0", "high", "-pix_fmt:v:0", "yuv420p",
        *gop_args(fps, 0),
    ]  # fmt: skip


def gop_args(fps: int, index: int) -> list[str]:
    """A keyframe exactly every SEGMENT_SECONDS for output video stream `index`."""
    gop = str(fps * SEGMENT_SECONDS)
    return [
        f"-g:v:{index}", gop, f"-keyint_min:v:{index}", gop,
        f"-sc_threshold:v:{index}", "0",
    ]  # fmt: skip


def audio_args() -> list[str]:
    """AAC-LC, 48 kHz stereo."""
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-ac", "2"]


def _command(
    *,
    width: int,
    height: int,
    fps: int,
    frame_count: int,
    audio: Path | None,
    low: tuple[int, int],
) -> list[str]:
    duration = frame_count / fps
    low_w, low_h = low
    if audio is not None:
        audio_input = ["-i", str(audio)]
    else:  # a silent track: every MP4 has H.264 + AAC
        audio_input = ["-f", "lavfi", "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
    graph = ";".join(
        [
            # RGB -> YUV once; both renditions come from the same YUV frames.
            "[0:v]format=yuv420p,split=2[v0][vs]",
            f"[vs]scale={low_w}:{low_h}:flags=fast_bilinear[v1]",
            # The soundtrack lasts exactly as long as the picture: padded with silence, cut.
            f"[1:a]aformat=sample_rates={AUDIO_RATE}:channel_layouts=stereo,"
            f"apad=whole_dur={duration:.6f},atrim=end={duration:.6f}[a]",
        ]
    )
    low_maxrate = max(200_000, int(low_w * low_h * fps * LOW_BITS_PER_PIXEL))

    def hls(index: int) -> str:
        # ffmpeg runs in the staging directory: relative names need no tee escaping.
        return (
            f"[select=\\'v:{index},a\\':f=hls:hls_time={SEGMENT_SECONDS}:hls_playlist_type=vod"
            f":hls_segment_type=mpegts:hls_segment_filename=hls/v{index}/seg_%03d.ts]"
            f"hls/v{index}/index.m3u8"
        )

    mp4 = "[select=\\'v:0,a\\':f=mp4:movflags=+faststart]video.mp4"
    return [
        *ffmpeg.base_args(),
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
        "-framerate", str(fps), "-i", "pipe:0",
        *audio_input,
        "-filter_complex", graph,
        "-map", "[v0]", "-map", "[v1]", "-map", "[a]",
        *main_video_args(fps),
        "-c:v:1", "libx264", "-preset:v:1", LOW_PRESET, "-crf:v:1", str(LOW_CRF),
        "-maxrate:v:1", str(low_maxrate), "-bufsize:v:1", str(low_maxrate * 2),
        "-pix_fmt:v:1", "yuv420p", *gop_args(fps, 1),
        *audio_args(),
        "-f", "tee", "|".join([mp4, hls(0), hls(1)]),
    ]  # fmt: skip


def package(
    frames: Iterable[np.ndarray],
    *,
    width: int,
    height: int,
    fps: int,
    frame_count: int,
    audio: Path | None,
    outdir: Path,
    reporter: Reporter,
) -> PackagedVideo:
    """Encode frames (and an optional WAV soundtrack) into MP4, HLS, thumbnail and poster.

    Raises Cancelled (from the reporter or the frames), FfmpegError when ffmpeg fails (with
    its stderr), PackagingError for wrong frames or outputs that fail verification; in every
    such case ffmpeg is killed and nothing is left in `outdir`. Existing outputs of the same
    names in `outdir` are replaced only on success.
    """
    if width % 2 or height % 2 or width < 2 or height < 2:
        raise PackagingError(f"Width and height must be even and positive, not {width}x{height}.")
    if fps <= 0 or frame_count <= 0:
        raise PackagingError("fps and frame_count must be positive.")
    if audio is not None and not Path(audio).is_file():
        raise PackagingError(f"No audio file at {audio}.")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".packaging-", dir=outdir))
    try:
        low = low_rendition_size(width, height)
        for index in (0, 1):
            (stage / "hls" / f"v{index}").mkdir(parents=True)
        command = _command(
            width=width,
            height=height,
            fps=fps,
            frame_count=frame_count,
            audio=audio,
            low=low,
        )
        reporter.log("Packaging", frames=frame_count, size=f"{width}x{height}", low=low)
        stills = _encode(command, stage, frames, width, height, frame_count, fps, reporter)
        reporter.check_cancelled()
        _write_stills(stills, stage, width, height)
        info = probe(stage / "video.mp4")
        _verify(info, width, height, frame_count / fps, fps)
        renditions = _ordered_renditions(stage, (width, height), low, fps, reporter)
        _write_master(stage / "hls" / "master.m3u8", renditions)
        reporter.check_cancelled()
        _move_into_place(stage, outdir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    result = PackagedVideo(
        mp4=outdir / "video.mp4",
        master_playlist=outdir / "hls" / "master.m3u8",
        renditions=tuple(
            replace(
                r,
                playlist=outdir / r.playlist.relative_to(stage),
                segments=tuple(outdir / s.relative_to(stage) for s in r.segments),
            )
            for r in renditions
        ),
        thumbnail=outdir / "thumbnail.jpg",
        poster=outdir / "poster.jpg",
        info=replace(info, path=outdir / "video.mp4"),
    )
    reporter.progress(1.0)
    return result


@dataclass
class _Stills:
    """Frames kept for the thumbnail and the poster (copies: the producer reuses buffers)."""

    thumbnail_index: int
    poster_indices: tuple[int, ...]
    thumbnail: np.ndarray | None = None
    poster_candidates: list[np.ndarray] | None = None


def _encode(
    command: list[str],
    cwd: Path,
    frames: Iterable[np.ndarray],
    width: int,
    height: int,
    frame_count: int,
    fps: int,
    reporter: Reporter,
) -> _Stills:
    """Stream the frames into ffmpeg; return the frames kept for the stills."""
    stills = _Stills(
        thumbnail_index=fps if frame_count > 2 * fps else frame_count // 2,
        poster_indices=tuple(sorted({frame_count * k // 10 for k in (2, 3, 4, 5, 6, 7, 8)})),
        poster_candidates=[],
    )
    shape = (height, width, 3)
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(  # noqa: S603 - our own binary, arguments built here
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr
        )
        assert proc.stdin is not None
        written = 0
        try:
            for frame in frames:
                reporter.check_cancelled()
                if written >= frame_count:
                    raise PackagingError(f"More than the {frame_count} frames announced.")
                if frame.shape != shape or frame.dtype != np.uint8:
                    raise PackagingError(
                        f"Frame {written} is {frame.dtype} {frame.shape}, not uint8 {shape}."
                    )
                if written == stills.thumbnail_index:
                    stills.thumbnail = frame.copy()
                if written in stills.poster_indices:
                    assert stills.poster_candidates is not None
                    stills.poster_candidates.append(frame.copy())
                try:
                    proc.stdin.write(np.ascontiguousarray(frame).data)
                except BrokenPipeError:
                    break  # ffmpeg is gone; its exit status and stderr say why
                written += 1
                if written % PROGRESS_EVERY == 0:
                    reporter.progress(written / frame_count)
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            returncode = proc.wait()
        except BaseException:
            ffmpeg.kill(proc)
            raise
        if returncode != 0:
            raise ffmpeg.FfmpegError("Packaging failed", returncode, ffmpeg.read_tail(stderr))
    if written != frame_count:
        raise PackagingError(f"Got {written} frames, {frame_count} announced.")
    return stills


def _write_stills(stills: _Stills, stage: Path, width: int, height: int) -> None:
    """thumbnail.jpg (320 px wide, aspect kept) and poster.jpg (full size)."""
    assert stills.thumbnail is not None and stills.poster_candidates
    thumb_w = min(THUMBNAIL_WIDTH, width)
    thumb_h = max(2, round(height * thumb_w / width / 2) * 2)
    Image.fromarray(stills.thumbnail).resize((thumb_w, thumb_h), Image.Resampling.LANCZOS).save(
        stage / "thumbnail.jpg", quality=85, optimize=True
    )
    # The most detailed candidate (highest luma spread) is the representative one: it skips
    # the black or flat frames of fades and title cards.
    poster = max(stills.poster_candidates, key=lambda f: float(f[::4, ::4].mean(axis=2).std()))
    Image.fromarray(poster).save(stage / "poster.jpg", quality=90, optimize=True)


def _verify(info: MediaInfo, width: int, height: int, duration: float, fps: int) -> None:
    """Refuse an MP4 without H.264 video and AAC audio of the expected size and length."""
    problems = []
    if not info.has_video or info.video_codec != "h264":
        problems.append(f"video stream: {info.video_codec or 'none'}, expected h264")
    if not info.has_audio or info.audio_codec != "aac":
        problems.append(f"audio stream: {info.audio_codec or 'none'}, expected aac")
    if (info.width, info.height) != (width, height):
        problems.append(f"size {info.width}x{info.height}, expected {width}x{height}")
    if abs(info.duration - duration) > 1.5 / fps:
        problems.append(f"duration {info.duration:.3f} s, expected {duration:.3f} s")
    if problems:
        raise PackagingError("The packaged MP4 is wrong: " + "; ".join(problems) + ".")


def _rendition(folder: Path, size: tuple[int, int]) -> Rendition:
    """Read a variant's media playlist back: its segments, their bitrates, its codecs."""
    playlist = folder / "index.m3u8"
    segments: list[tuple[Path, float]] = []
    pending: float | None = None
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            pending = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            segments.append((folder / line, pending))
            pending = None
    if not segments:
        raise PackagingError(f"The HLS playlist {playlist.name} lists no segments.")
    rates = [path.stat().st_size * 8 / max(seconds, 1e-3) for path, seconds in segments]
    total = sum(path.stat().st_size for path, _ in segments) * 8
    seconds = sum(s for _, s in segments)
    return Rendition(
        width=size[0],
        height=size[1],
        bandwidth=int(max(rates)),
        average_bandwidth=int(total / max(seconds, 1e-3)),
        codecs=f"{_avc_codec_string(segments[0][0])},mp4a.40.2",
        playlist=playlist,
        segments=tuple(path for path, _ in segments),
    )


def _ordered_renditions(
    stage: Path,
    size: tuple[int, int],
    low: tuple[int, int],
    fps: int,
    reporter: Reporter,
) -> list[Rendition]:
    """The renditions, the smaller one needing less bandwidth (peak and average) than the
    larger, as an adaptive player assumes.

    The one encode usually gives that. When it does not (a picture the lower rendition's
    settings do worse on), the lower variant is encoded again from the MP4 with a bitrate
    cap of half the main video's, which its peaks cannot pass; if even that is not smaller,
    the master lists the main rendition alone rather than mislead a player.
    """
    main = _rendition(stage / "hls" / "v0", size)
    small = _rendition(stage / "hls" / "v1", low)
    if _smaller(small, main):
        return [main, small]
    cap = max(2_000, int(_video_bitrate(main) / 2))
    reporter.log(
        "Lower rendition not smaller than the main one; encoding it again",
        level="warning",
        main=main.average_bandwidth,
        low=small.average_bandwidth,
        cap=cap,
    )
    folder = stage / "hls" / "v1"
    shutil.rmtree(folder)
    folder.mkdir()
    command = [
        "-i", "video.mp4", "-map", "0:v:0", "-map", "0:a:0",
        "-vf", f"scale={low[0]}:{low[1]}:flags=bicubic",
        "-c:v", "libx264", "-preset", MAIN_PRESET, "-pix_fmt", "yuv420p",
        "-b:v", str(cap), "-maxrate", str(cap), "-bufsize", str(cap),
        "-g", str(fps * SEGMENT_SECONDS), "-keyint_min", str(fps * SEGMENT_SECONDS),
        "-sc_threshold", "0",
        "-c:a", "copy",
        "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
        "-hls_segment_type", "mpegts", "-hls_segment_filename", "hls/v1/seg_%03d.ts",
        "hls/v1/index.m3u8",
    ]  # fmt: skip
    ffmpeg.run(
        command, what="Re-encoding the lower rendition", reporter=reporter, duration=None, cwd=stage
    )
    small = _rendition(folder, low)
    if _smaller(small, main):
        return [main, small]
    shutil.rmtree(folder)
    return [main]


def _video_bitrate(rendition: Rendition) -> float:
    """Bits per second of a variant's video packets alone (both variants carry one audio)."""
    bits, seconds = 0, 0.0
    for segment in rendition.segments:
        with av.open(str(segment)) as container:
            stream = container.streams.video[0]
            bits += 8 * sum(packet.size for packet in container.demux(stream) if packet.size)
            if container.duration:
                seconds += container.duration / 1e6
    return bits / max(seconds, 1e-3)


def _smaller(small: Rendition, main: Rendition) -> bool:
    """Whether `small` needs less bandwidth than `main`, at its peak, on average and in its
    video alone (the master's figures include the audio both variants share)."""
    return (
        small.bandwidth < main.bandwidth
        and small.average_bandwidth < main.average_bandwidth
        and _video_bitrate(small) < _video_bitrate(main)
    )


_SPS = re.compile(rb"\x00\x00\x01([\x27\x47\x67])(...)", re.DOTALL)


def _avc_codec_string(segment: Path) -> str:
    """`avc1.PPCCLL` from the first sequence parameter set in an MPEG-TS segment."""
    # The SPS sits in the first PES packet, after the PAT and PMT: the first 64 KiB suffice.
    with segment.open("rb") as f:
        head = f.read(65536)
    # In a TS the NAL unit may straddle packets; drop the 4-byte TS headers of the packets
    # to read it whole (adaptation fields are rare at the start of the video PES).
    payload = b"".join(head[i + 4 : i + 188] for i in range(0, len(head) - 187, 188))
    match = _SPS.search(payload)
    if match is None:
        raise PackagingError(f"No H.264 sequence parameter set in {segment.name}.")
    return "avc1." + match.group(2).hex()


def _write_master(path: Path, renditions: list[Rendition]) -> None:
    """The master playlist: one stream per rendition, highest first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in renditions:
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={rendition.bandwidth},"
            f"AVERAGE-BANDWIDTH={rendition.average_bandwidth},"
            f"RESOLUTION={rendition.width}x{rendition.height},"
            f'CODECS="{rendition.codecs}"'
        )
        lines.append(rendition.playlist.relative_to(path.parent).as_posix())
    path.write_text("\n".join(lines) + "\n")


def _move_into_place(stage: Path, outdir: Path) -> None:
    """Replace outputs of the same names in `outdir` with the staged ones."""
    for name in OUTPUT_NAMES:
        target = outdir / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        (stage / name).rename(target)
