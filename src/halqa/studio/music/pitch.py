"""Pitch and tempo measured in audio: the melody of a mix, YIN, sustained notes, onset tempo.

``melody_f0`` follows the predominant line of a full mix by harmonic salience (the principle of
Salamon & Gómez 2012, "Melody extraction from polyphonic music signals", simplified): the
magnitude spectrum's sustained part (median-filtered along time, as in Fitzgerald's 2010
harmonic/percussive separation, so drum hits drop out), less each bin's median level over
the piece (a drone that never moves is no melody), is summed over eight harmonics for every
candidate fundamental on a 10-cent grid in the melody's range; the best candidate is refined
on the spectrum's peaks (a parabola through the log magnitude at the first three harmonics).
It also reads a single line (a stem). YIN (de Cheveigné & Kawahara 2002) is kept for single
lines: the cumulative-mean-normalised difference function, first dip under a threshold,
parabolic interpolation. Both are written with numpy and scipy because the library
implementations (librosa's pyin, melodia) pull numba or a Vamp host; tests check them against
sines and FluidSynth renders of known pitch.
"""

from __future__ import annotations

import numpy as np


def yin(
    signal: np.ndarray,
    sample_rate: int,
    *,
    fmin: float = 60.0,
    fmax: float = 1200.0,
    frame: int = 2048,
    hop: int = 256,
    threshold: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """(f0 in Hz per frame, 0 where unvoiced; frame times in seconds) of a mono signal."""
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    tau_min, tau_max = int(sample_rate / fmax), min(int(sample_rate / fmin), frame // 2)
    starts = np.arange(0, max(len(signal) - frame, 0) + 1, hop)
    f0 = np.zeros(len(starts))
    nfft = 1 << (2 * frame - 1).bit_length()
    for b in range(0, len(starts), 256):
        idx = starts[b : b + 256, None] + np.arange(frame)[None, :]
        frames = signal[idx]
        spec = np.fft.rfft(frames, nfft)
        acf = np.fft.irfft(spec * np.conj(spec), nfft)[:, : tau_max + 1]
        energy = np.cumsum(frames**2, axis=1)
        total = energy[:, -1:]
        w = frame - np.arange(tau_max + 1)  # overlap length at each lag
        e_head = np.concatenate([np.zeros((len(frames), 1)), energy], axis=1)[
            :, w
        ]  # sum x_j^2, j < W - tau
        e_tail = (
            total
            - np.concatenate([np.zeros((len(frames), 1)), energy], axis=1)[
                :, np.arange(tau_max + 1)
            ]
        )
        diff = np.maximum(e_head + e_tail - 2 * acf, 0.0)
        cmnd = np.ones_like(diff)
        running = np.cumsum(diff[:, 1:], axis=1)
        cmnd[:, 1:] = diff[:, 1:] * np.arange(1, tau_max + 1) / np.maximum(running, 1e-12)
        loud = total[:, 0] > 1e-6 * frame
        for i in np.nonzero(loud)[0]:
            f0[b + i] = _pick(cmnd[i], diff[i], tau_min, tau_max, threshold, sample_rate)
    return f0, (starts + frame / 2) / sample_rate


def _pick(
    cmnd: np.ndarray,
    diff: np.ndarray,
    tau_min: int,
    tau_max: int,
    threshold: float,
    sample_rate: int,
) -> float:
    """The first dip of the normalised difference under ``threshold``, refined by a parabola through
    the raw difference (less biased than through the normalised one)."""
    below = np.nonzero(cmnd[tau_min:tau_max] < threshold)[0]
    if not len(below):
        return 0.0
    tau = tau_min + below[0]
    while tau + 1 < tau_max and cmnd[tau + 1] < cmnd[tau]:
        tau += 1
    if 1 <= tau < tau_max:
        a, b, c = diff[tau - 1], diff[tau], diff[tau + 1]
        denom = a - 2 * b + c
        shift = 0.5 * (a - c) / denom if denom > 1e-12 else 0.0
        return sample_rate / (tau + shift)
    return sample_rate / tau


MELODY_RANGE = (150.0, 1500.0)  # Hz: above the bass and the drone an octave under the tonic
SPECTRUM_TOP = 5000.0  # Hz: harmonics above this add little and cost memory on long mixes


def melody_f0(
    signal: np.ndarray,
    sample_rate: int,
    *,
    fmin: float = MELODY_RANGE[0],
    fmax: float = MELODY_RANGE[1],
    harmonics: int = 8,
    decay: float = 0.8,
    voicing: float = 0.25,
) -> tuple[np.ndarray, np.ndarray]:
    """(f0 in Hz per frame of the predominant melody, 0 where none;
    frame times) of a mix or a line."""
    from scipy.ndimage import median_filter

    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    frame = 1 << int(np.ceil(np.log2(sample_rate * 0.128)))  # about 128 ms: 8-10 Hz bins
    hop = frame // 8
    if len(signal) < frame:
        return np.zeros(0), np.zeros(0)
    bin_hz = sample_rate / frame
    top = min(frame // 2, int(SPECTRUM_TOP / bin_hz) + 2)
    window = np.hanning(frame).astype(np.float32)
    starts = np.arange(0, len(signal) - frame + 1, hop)
    mag = np.empty((len(starts), top), dtype=np.float32)
    for b in range(0, len(starts), 512):  # batches keep the frames of a long mix out of memory
        idx = starts[b : b + 512, None] + np.arange(frame)[None, :]
        mag[b : b + 512] = np.abs(np.fft.rfft(signal[idx] * window, axis=1))[:, :top]
    sustained = median_filter(mag, size=(9, 1))  # along time: what holds for ~150 ms
    struck = median_filter(mag, size=(1, 17))  # along frequency: broadband hits
    mag = np.where(sustained > struck, sustained, 0.0)
    mag = np.maximum(mag - np.median(mag, axis=0, keepdims=True), 0.0)  # the drone's steady level
    spec = np.log1p(mag / (mag.max() + 1e-12) * 1000.0)
    f0s = fmin * 2 ** (np.arange(0.0, 1200 * np.log2(fmax / fmin), 10.0) / 1200)
    salience = np.zeros((len(spec), len(f0s)), dtype=np.float32)
    for h in range(1, harmonics + 1):
        pos = f0s * h / bin_hz
        inside = pos < top - 1
        lo = np.floor(pos[inside]).astype(int)
        frac = (pos[inside] - lo).astype(np.float32)
        salience[:, inside] += decay ** (h - 1) * (
            spec[:, lo] * (1 - frac) + spec[:, lo + 1] * frac
        )
    best = salience.argmax(axis=1)
    peak = salience[np.arange(len(salience)), best]
    voiced = peak > voicing * np.percentile(peak, 95) if len(peak) else peak > 0
    f0 = np.zeros(len(best))
    for i in np.nonzero(voiced)[0]:
        f0[i] = _refine(mag[i], f0s[best[i]], bin_hz)
    return f0, (starts + frame / 2) / sample_rate


def _refine(frame_mag: np.ndarray, f0: float, bin_hz: float) -> float:
    """The fundamental from the spectral peaks near its first three harmonics
    (amplitude-weighted)."""
    total, weight = 0.0, 0.0
    for h in (1, 2, 3):
        k = round(f0 * h / bin_hz)
        if k < 3 or k + 3 >= len(frame_mag):
            continue
        k = k - 2 + int(np.argmax(frame_mag[k - 2 : k + 3]))  # the peak within two bins
        a, b, c = np.log(frame_mag[k - 1 : k + 2] + 1e-9)
        curve = a - 2 * b + c
        shift = 0.5 * (a - c) / curve if curve < 0 else 0.0
        total += (k + shift) * bin_hz / h * frame_mag[k]
        weight += frame_mag[k]
    return total / weight if weight > 0 else f0


def hz_to_midi(hz: np.ndarray | float) -> np.ndarray | float:
    return 69.0 + 12.0 * np.log2(np.asarray(hz) / 440.0)


PITCH_TRACKERS = ("melody", "yin")


def sustained_notes(
    signal: np.ndarray,
    sample_rate: int,
    *,
    min_seconds: float = 0.12,
    tolerance_cents: float = 30.0,
    tracker: str = "yin",
) -> list[dict]:
    """Stretches where the pitch holds within ``tolerance_cents`` for ``min_seconds``: onset,
    length, median pitch (MIDI, fractional) and its distance in cents from the nearest 12-TET note.
    ``tracker``: "melody" (``melody_f0``: the predominant line of a mix) or "yin" (one line)."""
    f0, times = (melody_f0 if tracker == "melody" else yin)(signal, sample_rate)
    hop = times[1] - times[0] if len(times) > 1 else 0.01
    notes: list[dict] = []
    run: list[tuple[float, float]] = []  # (time, fractional MIDI pitch) of the stretch being held

    def close() -> None:
        if len(run) * hop >= min_seconds:
            midi = float(np.median([m for _, m in run]))
            notes.append(
                {
                    "start": round(float(run[0][0]), 3),
                    "seconds": round(float(len(run) * hop), 3),
                    "pitch": round(midi, 3),
                    "nearest": round(midi),
                    "cents_from_12tet": round((midi - round(midi)) * 100, 1),
                }
            )

    for t, hz in zip(times, f0):
        midi = float(hz_to_midi(hz)) if hz > 0 else None
        if (
            midi is not None
            and run
            and abs(midi - np.median([m for _, m in run[-8:]])) * 100 <= tolerance_cents
        ):
            run.append((t, midi))
            continue
        close()
        run = [(t, midi)] if midi is not None else []
    close()
    return notes


def audio_tempo(
    signal: np.ndarray, sample_rate: int, *, low: float = 60.0, high: float = 200.0
) -> float | None:
    """Tempo in beats per minute from the autocorrelation of a spectral-flux onset envelope
    (the method of librosa's ``beat.tempo``, with its 120 BPM prior)."""
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    hop, frame = 512, 1024
    if len(signal) < sample_rate * 2:
        return None
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop] * np.hanning(frame)
    mag = np.abs(np.fft.rfft(frames, axis=1))
    flux = np.maximum(np.diff(np.log1p(100 * mag), axis=0), 0).sum(axis=1)
    flux -= flux.mean()
    acf = np.correlate(flux, flux, "full")[len(flux) - 1 :]
    fps = sample_rate / hop
    lags = np.arange(len(acf))
    valid = (lags >= fps * 60 / high) & (lags <= fps * 60 / low)
    if not valid.any():
        return None
    # a log-normal prior around 120 BPM settles the octave (a beat's double lag correlates as well)
    bpm = 60.0 * fps / np.maximum(lags[valid], 1)
    prior = np.exp(-0.5 * np.log2(bpm / 120.0) ** 2)
    best = lags[valid][np.argmax(np.maximum(acf[valid], 0) * prior)]
    return round(float(60.0 * fps / best), 1)
