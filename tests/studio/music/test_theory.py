from __future__ import annotations

import itertools

import pytest

from halqa.errors import ConfigError
from halqa.studio.music.rhythms import RHYTHMS, get_rhythm
from halqa.studio.music.styles import STYLES, resolve_style
from halqa.studio.music.theory import MODES, Scale, gamut_cents, get_mode, tonic_midi

# The domain note's table (morocco-domain.md §2.2), cents from the tonic, ascending.
TABLE = {
    "rast": [0, 200, 350, 500, 700, 900, 1050],
    "bayati": [0, 150, 300, 500, 700, 800, 1000],
    "sikah": [0, 150, 350, 550, 700, 850, 1050],
    "huzam": [0, 150, 350, 450, 750, 850, 1050],
    "hijaz": [0, 100, 400, 500, 700, 850, 1000],
    "kurd": [0, 100, 300, 500, 700, 800, 1000],
    "nahawand": [0, 200, 300, 500, 700, 800, 1100],
    "ajam": [0, 200, 400, 500, 700, 900, 1100],
    "saba": [0, 150, 300, 400, 700, 800, 1000],
}


def cents(name: str, tuning: str, descending: bool = False) -> list[float]:
    mode = get_mode(name)
    scale = Scale(mode, tonic_midi(mode.tonic), tuning)
    return [(scale.pitch(d, descending) - scale.tonic) * 100 for d in range(mode.size)]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_maqam_pitch_sets_match_the_table_in_equal_quarter_tones(name):
    assert cents(name, "24-tet") == pytest.approx(TABLE[name], abs=1e-9)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_dErlanger_gamut_stays_within_a_comma_of_the_table(name):
    # Collangettes' just 24-tone system: each quarter tone within 15 cents of equal.
    assert cents(name, "collangettes.scl") == pytest.approx(TABLE[name], abs=15)


def test_gamut_is_read_from_musics21_scala_file_and_rast_matches_dudon():
    gamut = gamut_cents("collangettes.scl")
    assert len(gamut) == 24 and gamut[0] == 0 and all(a < b for a, b in itertools.pairwise(gamut))
    from music21.scale import scala

    dudon = [0.0]
    for step in scala.parse("rast_moha.scl").getAdjacentCents():
        dudon.append(dudon[-1] + step)
    assert cents("rast", "24-tet")[:4] == pytest.approx(
        dudon[:4]
    )  # Rast jins 4+3+3 = 0 200 350 500


def test_quarter_tone_modes_are_microtonal_and_tubu_are_not():
    for name in ("rast", "bayati", "sikah", "huzam", "hijaz", "saba"):
        assert MODES[name].microtonal
    for name, mode in MODES.items():
        if mode.family in ("tab", "pentatonic"):
            assert not mode.microtonal, name
            assert cents(name, "collangettes.scl") == [
                round(c) for c in cents(name, "collangettes.scl")
            ]


def test_descending_forms_declare_their_accidentals():
    assert get_mode("rast").accidentals() == {20}  # B flat descending (B half-flat ascending)
    assert cents("rast", "24-tet", descending=True)[6] == 1000
    assert get_mode("bayati").accidentals() == set()


def test_gnawa_is_the_sourced_hearing_and_marked_as_such():
    gnawa = get_mode("gnawa")
    assert cents("gnawa", "24-tet") == [0, 200, 500, 700, 1000]
    assert "etic" in gnawa.assumption
    assert get_mode("amazigh").assumption  # no source gives its interval set


def test_tonic_names_parse_quarter_tones():
    assert tonic_midi("C4") == 60 and tonic_midi("E`4") == 63.5 and tonic_midi("Bb3") == 58
    with pytest.raises(ConfigError, match="note name"):
        tonic_midi("H2")


def test_chaabi_strokes_are_on_pulses_3_5_8_10():
    chaabi = get_rhythm("chaabi")
    assert chaabi.cycle == 12 and chaabi.meter == "6/8"
    high = {i + 1 for i, c in enumerate(chaabi.layers[0]) if c == "T"}
    low = {i + 1 for i, c in enumerate(chaabi.layers[0]) if c == "D"}
    assert (high, low) == ({3, 8}, {5, 10})


def test_mizan_meters_and_tempo_ranges():
    expected = {
        "basit": "6/4",
        "qaim_wa_nisf": "8/4",
        "btayhi": "8/4",
        "darj": "4/4",
        "quddam": "6/8",
    }
    for name, meter in expected.items():
        r = RHYTHMS[name]
        assert r.meter == meter and r.tempo[0] < r.tempo[1] < r.tempo[2]
        assert r.bar_pulses * r.pulse_beats == pytest.approx(int(meter[0]) * 4 / int(meter[2]))


def test_every_style_resolves_and_maqam_names_are_styles():
    for name in STYLES:
        style, mode = resolve_style(name)
        assert mode.name == style.mode
    assert resolve_style("sikah")[1].name == "sikah"
    with pytest.raises(ConfigError, match="unknown style"):
        resolve_style("polka")
    with pytest.raises(ConfigError, match="unknown mode"):
        get_mode("zanjaran-x")


def test_a_tabs_resting_degree_is_the_heaviest_after_its_tonic_in_the_transcriptions():
    """The tubu' data is a pitch profile only: the tonic is its heaviest degree (an assumption
    the catalogue states), the half cadence its next heaviest."""
    tubu = [m for m in MODES.values() if m.family == "tab"]
    assert len(tubu) == 9
    for mode in tubu:
        w = mode.weights
        assert w is not None and max(w) == w[0], mode.name
        rest = max(w[1:])
        assert w[mode.dominant] == rest and mode.cadences == (0, mode.dominant), mode.name
        assert all(w[d] < rest for d in range(1, mode.dominant)), mode.name  # lower one on a tie
    assert MODES["istihlal"].dominant == 2  # G over E: .17, tied with C, the lower degree wins


def test_gnawa_rests_on_its_fifth():
    gnawa = get_mode("gnawa")  # D E G A C: "emphasizes the tonic and fifth"
    assert gnawa.dominant == 3 and set(gnawa.cadences) == {0, 3}
    assert gnawa.quarter_positions()[gnawa.dominant] == 14  # 7 semitones: the fifth
