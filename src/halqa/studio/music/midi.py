"""Multitrack MIDI with quarter tones as per-channel pitch bend (or MTS), and reading MIDI back.

Pitch bend is a channel message, so two notes sounding at once with different bends
must be on different channels (morocco-domain.md §2.5). ``assign_channels`` gives every
track its own channel and moves a note to a spare channel when it overlaps a note of the
same track with another bend. Each channel's bend range is set to ±2 semitones by RPN 0
at the start, so a half-flat is exactly -2048 on every synth that honours RPN 0
(FluidSynth does), instead of relying on the default. With ``piece.meta["midi_tuning"] = "mts"``
the quarter tones travel instead as MIDI Tuning Standard single-note tuning changes (real-time
universal SysEx F0 7F 7F 08 02, MMA MIDI Tuning spec), one just before each note, for synths that
honour MTS; reading a file applies both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import mido

from halqa.errors import DataError
from halqa.studio.music.piece import Note, Piece, Track

TICKS = 480
BEND_RANGE = 2.0  # semitones, set by RPN 0 on every channel
DRUM_CHANNEL = 9
PROVENANCE_PREFIX = "halqa-provenance: "
MTS_TUNING_PROGRAM = (
    0  # the tuning program the single-note changes retune and every channel selects
)
MTS_HEADER = (
    0x7F,
    0x7F,
    0x08,
    0x02,
)  # real-time universal SysEx, all devices, MIDI tuning, single-note change
ROLES = ("melody", "melody2", "bass", "drone", "harmony", "percussion")


def split_pitch(pitch: float) -> tuple[int, int]:
    """(MIDI key, pitch-bend value) for a fractional pitch; 63.5 -> (64, -2048)."""
    key = round(pitch)
    bend = round((pitch - key) / BEND_RANGE * 8192)
    return key, max(-8192, min(8191, bend))


def assign_channels(tracks: list[Track]) -> list[list[int]]:
    """Channel of every note, per track; notes overlapping with different bends get different
    channels."""
    free = [c for c in range(16) if c != DRUM_CHANNEL]
    out: list[list[int]] = []
    for track in tracks:
        if track.is_drum:
            out.append([DRUM_CHANNEL] * len(track.notes))
            continue
        mine: list[int] = []
        busy: dict[int, list[tuple[float, int]]] = {}  # channel -> (end, bend) of notes sounding
        channels = []
        for note in track.notes:
            bend = split_pitch(note.pitch)[1]
            chosen = None
            for ch in mine:
                sounding = [b for end, b in busy[ch] if end > note.start + 1e-9]
                if all(b == bend for b in sounding):
                    chosen = ch
                    break
            if chosen is None:
                if not free:
                    raise DataError(
                        "more than 15 different simultaneous pitch bends: "
                        "cannot map to MIDI channels"
                    )
                chosen = free.pop(0)
                mine.append(chosen)
                busy[chosen] = []
            busy[chosen] = [(e, b) for e, b in busy[chosen] if e > note.start + 1e-9] + [
                (note.end, bend)
            ]
            channels.append(chosen)
        out.append(channels)
    return out


def mts_retune(key: int, pitch: float) -> mido.Message:
    """MIDI Tuning Standard single-note tuning change (real time): ``key`` sounds at fractional
    ``pitch``. The frequency is a semitone (xx) and a 14-bit fraction of it (yy zz, units of
    100/16384 cents)."""
    semitone = int(pitch // 1)
    fraction = min(16383, round((pitch - semitone) * 16384))
    return mido.Message(
        "sysex",
        data=(*MTS_HEADER, MTS_TUNING_PROGRAM, 1, key, semitone, fraction >> 7, fraction & 0x7F),
    )


def mts_pitch(msg: mido.Message) -> dict[int, float]:
    """Key -> pitch of every change in a single-note tuning SysEx ({} for any other SysEx)."""
    data = tuple(msg.data)
    if len(data) < 6 or data[0] != MTS_HEADER[0] or data[2:4] != MTS_HEADER[2:4]:  # any device id
        return {}
    out = {}
    for i in range(6, min(len(data) - 3, 6 + 4 * data[5]), 4):
        key, semitone, hi, lo = data[i : i + 4]
        out[key] = semitone + ((hi << 7) | lo) / 16384
    return out


def _setup(channel: int, program: int, mts: bool = False) -> list[mido.Message]:
    """Program and a ±2-semitone bend range (RPN 0, then the null RPN so later CC 6 does nothing);
    with MTS also the tuning program and bank the single-note changes retune (RPN 3 and 4)."""
    cc = [(101, 0), (100, 0), (6, int(BEND_RANGE)), (38, 0), (101, 127), (100, 127)]
    if mts:
        cc = [(101, 0), (100, 3), (6, MTS_TUNING_PROGRAM), (101, 0), (100, 4), (6, 0)] + cc
    return [mido.Message("program_change", channel=channel, program=program, time=0)] + [
        mido.Message("control_change", channel=channel, control=c, value=v, time=0) for c, v in cc
    ]


def write_midi(
    piece: Piece, path: Path, *, provenance: dict | None = None, tracks: list[Track] | None = None
) -> Path:
    """Type-1 MIDI: a conductor track (tempo, metre, provenance text) and one track per
    instrument."""
    tracks = piece.tracks if tracks is None else tracks
    channels = assign_channels(piece.tracks)
    wanted = {id(t) for t in tracks}
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS)
    conductor = mido.MidiTrack()
    num, den = (int(x) for x in piece.meter.split("/"))
    conductor.append(
        mido.MetaMessage("track_name", name=f"halqa {piece.style} in {piece.mode}", time=0)
    )
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(piece.tempo), time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=num, denominator=den, time=0))
    if provenance is not None:
        conductor.append(
            mido.MetaMessage(
                "text",
                text=PROVENANCE_PREFIX
                + json.dumps(provenance, ensure_ascii=True, sort_keys=True, default=str),
                time=0,
            )
        )
    midi.tracks.append(conductor)
    for track, chans in zip(piece.tracks, channels):
        if id(track) in wanted:
            midi.tracks.append(
                _track_messages(track, chans, mts=piece.meta.get("midi_tuning") == "mts")
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(str(path))
    return path


def _track_messages(track: Track, chans: list[int], mts: bool = False) -> mido.MidiTrack:
    """Setup, then every note; its quarter tone as a pitch bend, or with ``mts`` as a retuning of
    its key just before it (the key stays the nearest 12-TET one, so a synth without MTS plays it in
    tune with 12-TET)."""
    events: list[
        tuple[int, int, mido.Message]
    ] = []  # (tick, order, message); offs before ons at a tick
    for ch in sorted(set(chans)):
        if ch != DRUM_CHANNEL:
            events += [(0, -1, m) for m in _setup(ch, track.program, mts)]
    for note, ch in zip(track.notes, chans):
        key, bend = split_pitch(note.pitch) if not track.is_drum else (int(note.pitch), 0)
        on, off = (
            round(note.start * TICKS),
            max(round(note.end * TICKS), round(note.start * TICKS) + 1),
        )
        if ch != DRUM_CHANNEL and mts:
            events.append((on, 1, mts_retune(key, note.pitch)))
        elif ch != DRUM_CHANNEL:
            events.append((on, 1, mido.Message("pitchwheel", channel=ch, pitch=bend)))
        events.append(
            (on, 2, mido.Message("note_on", channel=ch, note=key, velocity=note.velocity))
        )
        events.append((off, 0, mido.Message("note_off", channel=ch, note=key, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    out = mido.MidiTrack()
    out.append(mido.MetaMessage("track_name", name=track.name, time=0))
    out.append(
        mido.MetaMessage("instrument_name", name=track.instrument[:60] or track.name, time=0)
    )
    last = 0
    for tick, _, msg in events:
        out.append(msg.copy(time=tick - last))
        last = tick
    return out


def read_midi(path: Path) -> Piece:
    """Any MIDI file -> a Piece (tempo, metre, one Track per MIDI track and channel,
    bends applied)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            header = handle.read(4)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    if header != b"MThd":
        raise DataError(f"{path}: not a MIDI file (it does not start with the MThd header)")
    try:
        midi = mido.MidiFile(str(path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise DataError(f"{path}: not a readable MIDI file ({exc or type(exc).__name__})") from None
    tempo, meter, provenance = 120.0, "4/4", None
    tracks: list[Track] = []
    tuned: dict[int, float] = {}  # MTS: key -> pitch, across tracks (a tuning program is global)
    for ti, mtrack in enumerate(midi.tracks):
        tick, name = 0, f"track {ti}"
        bend = defaultdict(int)
        bend_range = defaultdict(lambda: BEND_RANGE)
        rpn: dict[int, list[int]] = defaultdict(lambda: [127, 127])
        program = defaultdict(int)
        sounding: dict[tuple[int, int], tuple[int, float, int]] = {}
        by_channel: dict[int, Track] = {}
        for msg in mtrack:
            tick += msg.time
            if msg.type == "set_tempo" and not tracks and tick == 0:
                tempo = mido.tempo2bpm(msg.tempo)
            elif msg.type == "time_signature":
                meter = f"{msg.numerator}/{msg.denominator}"
            elif msg.type == "track_name":
                name = msg.name
            elif msg.type == "text" and msg.text.startswith(PROVENANCE_PREFIX):
                provenance = json.loads(msg.text[len(PROVENANCE_PREFIX) :])
            elif msg.type == "program_change":
                program[msg.channel] = msg.program
            elif msg.type == "sysex":
                tuned.update(mts_pitch(msg))
            elif msg.type == "pitchwheel":
                bend[msg.channel] = msg.pitch
            elif msg.type == "control_change" and msg.control in (101, 100):
                rpn[msg.channel][0 if msg.control == 101 else 1] = msg.value
            elif msg.type == "control_change" and msg.control == 6 and rpn[msg.channel] == [0, 0]:
                bend_range[msg.channel] = float(msg.value)
            elif msg.type == "note_on" and msg.velocity > 0:
                base = tuned.get(msg.note, msg.note) if msg.channel != DRUM_CHANNEL else msg.note
                pitch = base + (
                    bend[msg.channel] / 8192 * bend_range[msg.channel] if msg.channel != 9 else 0
                )
                sounding[(msg.channel, msg.note)] = (tick, pitch, msg.velocity)
            elif msg.type in ("note_off", "note_on"):
                started = sounding.pop((msg.channel, msg.note), None)
                if started is None:
                    continue
                ch = msg.channel
                track = by_channel.get(ch)
                if track is None:
                    drum = ch == DRUM_CHANNEL
                    role = name if name in ROLES else "percussion" if drum else "melody"
                    track = Track(
                        name if len(by_channel) == 0 else f"{name} ch{ch + 1}",
                        role,
                        program[ch],
                        is_drum=drum,
                    )
                    by_channel[ch] = track
                t0, pitch, vel = started
                track.notes.append(
                    Note(t0 / midi.ticks_per_beat, (tick - t0) / midi.ticks_per_beat, pitch, vel)
                )
        for track in by_channel.values():
            track.notes.sort(key=lambda n: (n.start, n.pitch))
            tracks.append(track)
    if not any(t.notes for t in tracks):
        raise DataError(f"{path}: a MIDI file with no notes")
    num, den = (int(x) for x in meter.split("/"))
    bar_beats = num * 4 / den
    piece = Piece(
        style="",
        mode="",
        tonic=0.0,
        tempo=round(tempo, 3),
        meter=meter,
        bar_beats=bar_beats,
        bars=0,
        tracks=tracks,
        meta={"provenance": provenance} if provenance else {},
    )
    piece.bars = max(1, int(-(-piece.length_beats // bar_beats)))
    return piece


def melody_of(piece: Piece) -> Track:
    """The track most likely to be the melody: the pitched track with the highest median pitch."""
    pitched = [t for t in piece.tracks if not t.is_drum and t.notes]
    if not pitched:
        raise DataError("the MIDI file has no pitched notes (only drums)")
    named = [t for t in pitched if t.role == "melody" and t.name == "melody"]
    if named:
        return named[0]
    return max(pitched, key=lambda t: sorted(n.pitch for n in t.notes)[len(t.notes) // 2])
