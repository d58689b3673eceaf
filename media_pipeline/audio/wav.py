"""16-bit PCM WAV files in and out as float32 arrays, and band-limited resampling, in numpy."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1], shaped (frames, channels), and the sample rate."""
    with wave.open(str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{path.name}: {8 * width}-bit WAV; only 16-bit PCM is read")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels), rate


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> Path:
    """Write (frames,) or (frames, channels) floats in [-1, 1] as 16-bit PCM."""
    data = samples.reshape(len(samples), -1)
    pcm = np.clip(np.round(data * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(data.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return path


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Band-limited resampling of a mono signal through its spectrum (ideal low-pass).

    The FFT treats the clip as periodic, which is harmless here: speech clips begin and end
    in silence. It avoids a dependency on scipy for the one resampling the pipeline needs.
    """
    if source_rate == target_rate or len(samples) == 0:
        return samples.astype(np.float32)
    n_out = max(1, round(len(samples) * target_rate / source_rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = n_out // 2 + 1
    if bins <= len(spectrum):
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - len(spectrum), spectrum.dtype)])
    out = np.fft.irfft(spectrum, n=n_out) * (n_out / len(samples))
    return out.astype(np.float32)
