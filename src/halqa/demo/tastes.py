"""The audience and taste parameters of the demo world, in one place.

These numbers *are* the planted dynamics: ``planted.json`` copies them and
``docs/demo-world.md`` explains them. Effects are additive on the log scale
(``+0.7`` multiplies a genre's odds of being picked by ``e**0.7 ≈ 2``).
"""

from __future__ import annotations

from halqa.catalog import taxonomy

# Approximate legal population per region, thousands (HCP census RGPH 2024, rounded).
# Members are drawn in these proportions, so Casablanca-Settat is the largest region.
REGION_POPULATION = {
    "tanger-tetouan-al-hoceima": 4030,
    "oriental": 2295,
    "fes-meknes": 4467,
    "rabat-sale-kenitra": 5133,
    "beni-mellal-khenifra": 2526,
    "casablanca-settat": 7688,
    "marrakech-safi": 4893,
    "draa-tafilalet": 1655,
    "souss-massa": 3020,
    "guelmim-oued-noun": 448,
    "laayoune-sakia-el-hamra": 452,
    "dakhla-oued-ed-dahab": 220,
}
# A streaming audience is younger than the population: youth-heavy age structure.
AGE_WEIGHTS = {"<18": 0.12, "18-24": 0.26, "25-34": 0.27, "35-44": 0.17, "45-54": 0.10, "55+": 0.08}
GENDER_WEIGHTS = {"F": 0.47, "M": 0.48, "X": 0.01, "": 0.04}
CONSENT_RATES = {"analytics": 0.85, "personalisation": 0.80, "marketing": 0.55}

# Amazigh language spoken per region: (share of members who speak one, which tags).
AMAZIGH_BY_REGION = {
    "souss-massa": (0.60, ("shi", "zgh")),
    "guelmim-oued-noun": (0.35, ("shi", "zgh")),
    "draa-tafilalet": (0.45, ("tzm", "zgh")),
    "beni-mellal-khenifra": (0.30, ("tzm",)),
    "fes-meknes": (0.20, ("tzm",)),
    "oriental": (0.30, ("rif",)),
    "tanger-tetouan-al-hoceima": (0.20, ("rif",)),
    "marrakech-safi": (0.25, ("shi", "zgh")),
}
AMAZIGH_ELSEWHERE = (0.06, ("zgh",))
HASSANIYA_REGIONS = {
    "laayoune-sakia-el-hamra": 0.45,
    "dakhla-oued-ed-dahab": 0.45,
    "guelmim-oued-noun": 0.15,
}
FRENCH_BY_REGION = {
    "casablanca-settat": 0.60,
    "rabat-sale-kenitra": 0.60,
    "tanger-tetouan-al-hoceima": 0.45,
}
FRENCH_ELSEWHERE = 0.38
SPANISH_BY_REGION = {"tanger-tetouan-al-hoceima": 0.25, "oriental": 0.10}

# Global log-popularity of each genre as a member's pick (outside any season).
GENRE_BASE = {
    # music
    "chaabi": 1.0,
    "rap": 1.0,
    "trap": 0.4,
    "pop": 0.8,
    "rai": 0.5,
    "gnawa": 0.2,
    "amazigh-pop": 0.0,
    "ahwash": -1.0,
    "rways": -0.9,
    "ahidous": -1.0,
    "andalusi": -0.6,
    "gharnati": -1.6,
    "malhun": -0.9,
    "aita": -0.5,
    "reggada": -0.8,
    "rif": -1.1,
    "guedra": -1.8,
    "hassani": -1.3,
    "sufi": -0.7,
    "ghiwane": -0.4,
    "fusion": -0.3,
    "electronic": 0.0,
    "jazz": -1.2,
    "classical": -1.3,
    "imdyazen": -1.6,
    # screen
    "drama": 0.6,
    "social-drama": 0.5,
    "comedy": 0.9,
    "ramadan-sitcom": -0.6,
    "crime": 0.3,
    "thriller": 0.3,
    "historical": -0.2,
    "amazigh-drama": -1.2,
    "romance": 0.2,
    "family": 0.2,
    "action": 0.5,
    "adventure": 0.0,
    "animation": 0.0,
    "children": -0.3,
    "documentary": -0.4,
    "fantasy": -0.3,
    "film-noir": -1.5,
    "horror": -0.3,
    "musical": -1.2,
    "mystery": -0.4,
    "sci-fi": -0.2,
    "war": -1.0,
    "western": -1.8,
}
MUSIC_GENRES = tuple(t.id for t in taxonomy.MUSIC_GENRES)
SCREEN_GENRES = tuple(g for g in GENRE_BASE if g not in MUSIC_GENRES)
AMAZIGH_MUSIC = ("ahwash", "rways", "amazigh-pop", "ahidous", "imdyazen", "rif")

AGE_TASTE = {
    "<18": {
        "rap": 0.8,
        "trap": 0.9,
        "pop": 0.6,
        "electronic": 0.3,
        "animation": 1.2,
        "children": 1.0,
        "adventure": 0.4,
        "fantasy": 0.4,
        "chaabi": -0.6,
        "aita": -1.0,
        "andalusi": -1.0,
        "malhun": -1.0,
    },
    "18-24": {
        "rap": 1.0,
        "trap": 1.0,
        "pop": 0.4,
        "electronic": 0.5,
        "fusion": 0.2,
        "action": 0.3,
        "horror": 0.4,
        "romance": 0.3,
        "chaabi": -0.4,
        "aita": -0.8,
        "andalusi": -0.8,
        "malhun": -0.8,
        "children": -1.0,
        "animation": -0.3,
    },
    "25-34": {
        "rap": 0.3,
        "trap": 0.1,
        "action": 0.3,
        "thriller": 0.3,
        "crime": 0.3,
        "social-drama": 0.2,
    },
    "35-44": {
        "drama": 0.2,
        "family": 0.3,
        "comedy": 0.2,
        "chaabi": 0.3,
        "rap": -0.3,
        "trap": -0.6,
        "ramadan-sitcom": 0.3,
    },
    "45-54": {
        "chaabi": 0.6,
        "aita": 0.5,
        "andalusi": 0.5,
        "malhun": 0.5,
        "ghiwane": 0.6,
        "drama": 0.3,
        "historical": 0.4,
        "ramadan-sitcom": 0.5,
        "rap": -1.0,
        "trap": -1.4,
        "horror": -0.6,
    },
    "55+": {
        "andalusi": 0.8,
        "malhun": 0.8,
        "chaabi": 0.7,
        "aita": 0.6,
        "ghiwane": 0.8,
        "sufi": 0.5,
        "historical": 0.5,
        "ramadan-sitcom": 0.6,
        "documentary": 0.3,
        "rap": -1.4,
        "trap": -1.8,
        "electronic": -0.8,
        "horror": -1.0,
    },
}
REGION_TASTE = {
    "souss-massa": {
        "ahwash": 1.8,
        "rways": 1.8,
        "amazigh-pop": 1.5,
        "amazigh-drama": 1.4,
        "imdyazen": 0.3,
    },
    "guelmim-oued-noun": {
        "ahwash": 0.8,
        "rways": 0.8,
        "amazigh-pop": 0.6,
        "hassani": 1.5,
        "guedra": 1.5,
    },
    "laayoune-sakia-el-hamra": {"hassani": 2.0, "guedra": 1.8},
    "dakhla-oued-ed-dahab": {"hassani": 2.0, "guedra": 1.6},
    "draa-tafilalet": {
        "ahidous": 1.2,
        "amazigh-pop": 0.8,
        "amazigh-drama": 0.8,
        "imdyazen": 1.0,
        "malhun": 0.3,
    },
    "beni-mellal-khenifra": {"ahidous": 1.3, "amazigh-pop": 0.5, "imdyazen": 0.8, "aita": 0.4},
    "fes-meknes": {"andalusi": 0.9, "malhun": 0.9, "ahidous": 0.5, "sufi": 0.4},
    "oriental": {"reggada": 1.6, "gharnati": 1.5, "rai": 1.0, "rif": 0.8},
    "tanger-tetouan-al-hoceima": {"rif": 1.3, "andalusi": 0.7, "reggada": 0.4},
    "rabat-sale-kenitra": {"andalusi": 0.4, "malhun": 0.3, "jazz": 0.3},
    "casablanca-settat": {"rap": 0.3, "chaabi": 0.3, "aita": 0.4, "electronic": 0.2},
    "marrakech-safi": {"gnawa": 1.0, "aita": 0.7, "malhun": 0.3},
}
# Spoken language -> genre effect (an Amazigh speaker likes Amazigh music and drama more).
LANGUAGE_TASTE = {
    "amazigh": {
        "amazigh-pop": 1.2,
        "amazigh-drama": 1.2,
        "ahwash": 0.4,
        "rways": 0.4,
        "ahidous": 0.4,
    },
    "shi": {"ahwash": 1.0, "rways": 1.0},
    "zgh": {"ahwash": 0.8, "rways": 0.8},
    "tzm": {"ahidous": 1.0, "imdyazen": 0.6},
    "rif": {"rif": 1.2, "reggada": 0.4},
    "mey": {"hassani": 1.0, "guedra": 0.5},
    "fr": {"jazz": 0.4, "classical": 0.4, "electronic": 0.2, "film-noir": 0.3},
    "en": {"electronic": 0.3, "sci-fi": 0.3, "action": 0.2},
}
GENDER_TASTE = {
    "F": {"romance": 0.3, "drama": 0.2, "family": 0.1},
    "M": {"action": 0.3, "war": 0.2},
}

# Within a genre, a title in a language the member speaks gets LANGUAGE_MATCH; one they do
# not speak gets LANGUAGE_MISS (subtitles make it possible, not likely).
LANGUAGE_MATCH = 0.8
LANGUAGE_MISS = -1.0
# Collaborative structure: each member has a latent taste vector u. Genres of one family have
# nearby centroids c_g, so u . c_g makes a member's genre tastes correlated (a rap fan leans to
# trap), and titles scatter around their genre's centroid, so u . v_t ranks titles within a genre.
LATENT_DIM = 8
GENRE_FAMILIES = {
    "urban": ("rap", "trap", "electronic", "pop", "fusion", "rai"),
    "amazigh": AMAZIGH_MUSIC,
    "heritage": ("andalusi", "gharnati", "malhun", "sufi", "classical", "jazz"),
    "popular": ("chaabi", "aita", "reggada", "ghiwane", "gnawa"),
    "sahara": ("hassani", "guedra"),
    "drama": (
        "drama",
        "social-drama",
        "amazigh-drama",
        "romance",
        "historical",
        "war",
        "documentary",
    ),
    "genre-film": (
        "action",
        "adventure",
        "thriller",
        "crime",
        "horror",
        "sci-fi",
        "fantasy",
        "mystery",
        "film-noir",
        "western",
    ),
    "family": ("comedy", "ramadan-sitcom", "family", "animation", "children", "musical"),
}
MEMBER_GENRE_NOISE = 0.5  # sd of each member's unstructured genre taste
GENRE_LATENT_WEIGHT = 0.3  # weight of u . c_g in a member's genre taste
TITLE_TASTE_SCALE = 3.5  # sd of u . v (before the within-genre spread of v)
TITLE_POPULARITY_SD = 0.9  # sd of a title's log popularity (the long tail)

# Screen completion propensity per genre (Beta a parameter, b = 1.2): amazigh-drama and
# ramadan-sitcom are watched to the end more often than their small supply suggests.
COMPLETION_A = {"ramadan-sitcom": 5.0, "amazigh-drama": 5.0, "family": 3.0, "comedy": 3.0}
COMPLETION_A_DEFAULT = 2.2
