"""A piece in memory: tracks of notes with fractional MIDI pitches (quarter tones are .5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Note:
    start: float  # quarter notes from the start of the piece
    length: float  # quarter notes
    pitch: float  # MIDI number; 63.5 is E half-flat above middle C
    velocity: int = 90

    @property
    def end(self) -> float:
        return self.start + self.length


@dataclass
class Track:
    name: str
    role: str  # melody, melody2, bass, drone, harmony, percussion
    program: int  # GM program (0-based); ignored for percussion
    instrument: str = ""
    is_drum: bool = False
    notes: list[Note] = field(default_factory=list)


@dataclass
class Section:
    name: str  # intro, verse, chorus, outro, motif, continuation
    start_bar: int
    bars: int


@dataclass
class PhrasePlan:
    """One melodic phrase as the composer planned it: where it lies (quarter notes) and the degree
    its sayr stage asks it to centre on (``theory.Sayr``)."""

    start: float
    length: float
    centre: int
    stage: str


@dataclass
class Piece:
    style: str
    mode: str
    tonic: float
    tempo: float  # quarter notes per minute
    meter: str  # "6/8", "4/4"...
    bar_beats: float  # quarter notes per bar
    bars: int
    tracks: list[Track] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    rhythm: str = ""
    tuning: str = ""
    seed: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    phrases: list[PhrasePlan] = field(default_factory=list)  # the sayr plan (maqamat only)

    @property
    def length_beats(self) -> float:
        return max([self.bars * self.bar_beats] + [n.end for t in self.tracks for n in t.notes])

    @property
    def seconds(self) -> float:
        return self.length_beats * 60.0 / self.tempo

    def track(self, role: str) -> Track | None:
        return next((t for t in self.tracks if t.role == role), None)

    def summary(self) -> dict[str, Any]:
        return {
            "style": self.style,
            "mode": self.mode,
            "tonic": self.tonic,
            "tempo": self.tempo,
            "meter": self.meter,
            "bars": self.bars,
            "seconds": round(self.seconds, 2),
            "rhythm": self.rhythm,
            "tuning": self.tuning,
            "seed": self.seed,
            "sections": [s.__dict__ for s in self.sections],
            # the sayr plan; degrees 1-based like the catalogue's (8 = octave, 0 = below the tonic)
            **(
                {
                    "phrases": [
                        {
                            "start": p.start,
                            "length": p.length,
                            "degree": p.centre + 1,
                            "stage": p.stage,
                        }
                        for p in self.phrases
                    ]
                }
                if self.phrases
                else {}
            ),
            "tracks": [
                {
                    "name": t.name,
                    "role": t.role,
                    "instrument": t.instrument,
                    "program": t.program,
                    "drum": t.is_drum,
                    "notes": len(t.notes),
                }
                for t in self.tracks
            ],
        }
