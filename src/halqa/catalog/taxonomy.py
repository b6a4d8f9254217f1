"""The controlled vocabularies of the catalogue: kinds, event types, genres,
themes, regions, languages and age bands.

Genres and themes are *seed* vocabularies: the store keeps them in the
``genres`` and ``themes`` tables so a user can add their own
(``halqa taxonomy add``). Regions follow the 2015 division into 12 regions
(Bulletin Officiel, 5 March 2015); genre facts come from
``shared/reference/morocco-domain.md``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

KINDS = (
    "film",
    "series",
    "season",
    "episode",
    "track",
    "album",
    "podcast",
    "short",
    "documentary",
    "clip",
)
# What a child of each kind may hang under (episode -> series/season, track -> album).
PARENT_KINDS = {
    "season": ("series",),
    "episode": ("series", "season"),
    "track": ("album",),
}
MUSIC_KINDS = ("track", "album", "clip")
SCREEN_KINDS = ("film", "series", "season", "episode", "short", "documentary")

EVENT_TYPES = (
    "play",
    "view",
    "listen",
    "complete",
    "like",
    "dislike",
    "skip",
    "share",
    "rate",
    "add_to_list",
    "search_click",
    "download",
)
# Spellings people use in exports, folded onto the canonical event type.
EVENT_ALIASES = {
    "add-to-list": "add_to_list",
    "addtolist": "add_to_list",
    "watchlist": "add_to_list",
    "stream": "play",
    "watch": "view",
    "rating": "rate",
    "finish": "complete",
    "completed": "complete",
}

AGE_BANDS = ("<18", "18-24", "25-34", "35-44", "45-54", "55+")
GENDERS = ("F", "M", "X")
AGE_RATINGS = ("all", "7+", "12+", "16+", "18+")
ROLES = ("artist", "band", "director", "writer", "actor", "producer", "composer", "host", "studio")


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary, with labels in the interface languages."""

    id: str
    domain: str  # music, screen or any
    en: str
    fr: str = ""
    ar: str = ""


MUSIC_GENRES = (
    Term("andalusi", "music", "Andalusi (Al-Ala)", "Musique andalouse", "طرب الآلة"),
    Term("gharnati", "music", "Gharnati", "Gharnati", "الغرناطي"),
    Term("malhun", "music", "Malhun", "Melhoun", "الملحون"),
    Term("chaabi", "music", "Chaabi", "Chaâbi", "الشعبي"),
    Term("aita", "music", "Aita", "Aïta", "العيطة"),
    Term("gnawa", "music", "Gnawa", "Gnaoua", "كناوة"),
    Term("ahidous", "music", "Ahidous", "Ahidous", "أحيدوس"),
    Term("ahwash", "music", "Ahwash", "Ahouach", "أحواش"),
    Term("rways", "music", "Rways", "Rrways", "الروايس"),
    Term("imdyazen", "music", "Imdyazen", "Imdyazen", "إمديازن"),
    Term("reggada", "music", "Reggada", "Reggada", "الركادة"),
    Term("rif", "music", "Rifian folk", "Folklore rifain", "الموسيقى الريفية"),
    Term("guedra", "music", "Guedra", "Guedra", "الكدرة"),
    Term("hassani", "music", "Hassani", "Hassani", "الموسيقى الحسانية"),
    Term("rai", "music", "Raï", "Raï", "الراي"),
    Term("sufi", "music", "Sufi brotherhood music", "Musique soufie", "السماع والمديح"),
    Term("ghiwane", "music", "Ghiwane", "Ghiwane", "الظاهرة الغيوانية"),
    Term("rap", "music", "Moroccan rap / hip-hop", "Rap marocain", "الراب المغربي"),
    Term("trap", "music", "Trap", "Trap", "التراب"),
    Term("fusion", "music", "Fusion", "Fusion", "فيوجن"),
    Term("amazigh-pop", "music", "Amazigh pop", "Pop amazighe", "البوب الأمازيغي"),
    Term("pop", "music", "Pop", "Pop", "بوب"),
    Term("electronic", "music", "Electronic", "Électro", "إلكترونيك"),
    Term("jazz", "music", "Jazz", "Jazz", "جاز"),
    Term("classical", "music", "Classical", "Classique", "كلاسيكي"),
)

SCREEN_GENRES = (
    Term("social-drama", "screen", "Social drama", "Drame social", "دراما اجتماعية"),
    Term("drama", "screen", "Drama", "Drame", "دراما"),
    Term("comedy", "screen", "Comedy", "Comédie", "كوميديا"),
    Term("ramadan-sitcom", "screen", "Ramadan sitcom", "Sitcom du Ramadan", "سيتكوم رمضان"),
    Term("crime", "screen", "Crime / noir", "Polar", "جريمة"),
    Term("thriller", "screen", "Thriller", "Thriller", "تشويق"),
    Term("historical", "screen", "Historical / heritage", "Historique", "تاريخي"),
    Term("amazigh-drama", "screen", "Amazigh-language drama", "Drame amazigh", "دراما أمازيغية"),
    Term("romance", "screen", "Romance", "Romance", "رومانسي"),
    Term("family", "screen", "Family", "Familial", "عائلي"),
    Term("action", "screen", "Action", "Action", "أكشن"),
    Term("adventure", "screen", "Adventure", "Aventure", "مغامرة"),
    Term("animation", "screen", "Animation", "Animation", "رسوم متحركة"),
    Term("children", "screen", "Children", "Jeunesse", "أطفال"),
    Term("documentary", "screen", "Documentary", "Documentaire", "وثائقي"),
    Term("fantasy", "screen", "Fantasy", "Fantastique", "خيال"),
    Term("film-noir", "screen", "Film noir", "Film noir", "فيلم نوار"),
    Term("horror", "screen", "Horror", "Horreur", "رعب"),
    Term("musical", "screen", "Musical", "Comédie musicale", "موسيقي"),
    Term("mystery", "screen", "Mystery", "Mystère", "غموض"),
    Term("sci-fi", "screen", "Science fiction", "Science-fiction", "خيال علمي"),
    Term("war", "screen", "War", "Guerre", "حرب"),
    Term("western", "screen", "Western", "Western", "ويسترن"),
    Term("unknown", "any", "Unknown", "Inconnu", "غير معروف"),
)

THEMES = (
    Term("migration", "any", "Migration", "Migration", "الهجرة"),
    Term("youth", "any", "Urban youth", "Jeunesse urbaine", "الشباب"),
    Term("women", "any", "Women's lives", "Condition féminine", "المرأة"),
    Term("family-ties", "any", "Family ties", "Liens familiaux", "الروابط العائلية"),
    Term("ramadan", "any", "Ramadan", "Ramadan", "رمضان"),
    Term("heritage", "any", "Heritage", "Patrimoine", "التراث"),
    Term("amazigh-identity", "any", "Amazigh identity", "Identité amazighe", "الهوية الأمازيغية"),
    Term("rural-life", "any", "Rural life", "Vie rurale", "الحياة القروية"),
    Term("city-life", "any", "City life", "Vie citadine", "حياة المدينة"),
    Term("love", "any", "Love", "Amour", "الحب"),
    Term("football", "any", "Football", "Football", "كرة القدم"),
    Term("sahara", "any", "The Sahara", "Le Sahara", "الصحراء"),
    Term("sea", "any", "The sea", "La mer", "البحر"),
    Term("spirituality", "any", "Spirituality", "Spiritualité", "الروحانية"),
    Term("celebration", "any", "Weddings and celebration", "Fêtes et mariages", "الأعراس والأفراح"),
    Term("protest", "any", "Protest", "Contestation", "الاحتجاج"),
    Term("corruption", "any", "Corruption", "Corruption", "الفساد"),
    Term("coming-of-age", "any", "Coming of age", "Passage à l'âge adulte", "النضج"),
)

GENRE_ALIASES = {
    "gnaoua": "gnawa",
    "gnawi": "gnawa",
    "chaabi-music": "chaabi",
    "chaâbi": "chaabi",
    "melhoun": "malhun",
    "andalous": "andalusi",
    "andalusian": "andalusi",
    "al-ala": "andalusi",
    "ahouach": "ahwash",
    "ahidus": "ahidous",
    "hip-hop": "rap",
    "hiphop": "rap",
    "raï": "rai",
    "children's": "children",
    "childrens": "children",
    "scifi": "sci-fi",
    "science-fiction": "sci-fi",
    "noir": "film-noir",
    "sitcom": "comedy",
    "amazigh": "amazigh-pop",
}


@dataclass(frozen=True)
class Region:
    """One of Morocco's 12 regions (2015 division)."""

    code: int
    id: str
    fr: str
    ar: str
    capital: str
    cities: tuple[str, ...]


REGIONS = (
    Region(
        1,
        "tanger-tetouan-al-hoceima",
        "Tanger-Tétouan-Al Hoceïma",
        "طنجة - تطوان - الحسيمة",
        "Tanger",
        ("Tanger", "Tétouan", "Al Hoceïma", "Larache", "Chefchaouen"),
    ),
    Region(2, "oriental", "Oriental", "الشرق", "Oujda", ("Oujda", "Nador", "Berkane", "Taourirt")),
    Region(
        3, "fes-meknes", "Fès-Meknès", "فاس - مكناس", "Fès", ("Fès", "Meknès", "Taza", "Ifrane")
    ),
    Region(
        4,
        "rabat-sale-kenitra",
        "Rabat-Salé-Kénitra",
        "الرباط - سلا - القنيطرة",
        "Rabat",
        ("Rabat", "Salé", "Kénitra", "Témara"),
    ),
    Region(
        5,
        "beni-mellal-khenifra",
        "Béni Mellal-Khénifra",
        "بني ملال - خنيفرة",
        "Béni Mellal",
        ("Béni Mellal", "Khouribga", "Khénifra", "Azilal"),
    ),
    Region(
        6,
        "casablanca-settat",
        "Casablanca-Settat",
        "الدار البيضاء - سطات",
        "Casablanca",
        ("Casablanca", "Mohammedia", "El Jadida", "Settat", "Berrechid"),
    ),
    Region(
        7,
        "marrakech-safi",
        "Marrakech-Safi",
        "مراكش - آسفي",
        "Marrakech",
        ("Marrakech", "Safi", "Essaouira", "El Kelâa des Sraghna"),
    ),
    Region(
        8,
        "draa-tafilalet",
        "Drâa-Tafilalet",
        "درعة - تافيلالت",
        "Errachidia",
        ("Errachidia", "Ouarzazate", "Midelt", "Tinghir", "Zagora"),
    ),
    Region(
        9,
        "souss-massa",
        "Souss-Massa",
        "سوس - ماسة",
        "Agadir",
        ("Agadir", "Inezgane", "Taroudant", "Tiznit"),
    ),
    Region(
        10,
        "guelmim-oued-noun",
        "Guelmim-Oued Noun",
        "كلميم - واد نون",
        "Guelmim",
        ("Guelmim", "Tan-Tan", "Sidi Ifni"),
    ),
    Region(
        11,
        "laayoune-sakia-el-hamra",
        "Laâyoune-Sakia El Hamra",
        "العيون - الساقية الحمراء",
        "Laâyoune",
        ("Laâyoune", "Es-Semara", "Boujdour"),
    ),
    Region(
        12,
        "dakhla-oued-ed-dahab",
        "Dakhla-Oued Ed-Dahab",
        "الداخلة - وادي الذهب",
        "Dakhla",
        ("Dakhla", "Aousserd"),
    ),
)
REGION_IDS = tuple(r.id for r in REGIONS)

# Languages of Moroccan media (ISO 639 codes as used in BCP-47 tags).
LANGUAGES = {
    "ary": "Moroccan Arabic (Darija)",
    "ar": "Arabic",
    "arb": "Standard Arabic",
    "fr": "French",
    "zgh": "Standard Moroccan Tamazight",
    "tzm": "Central Atlas Tamazight",
    "shi": "Tachelhit",
    "rif": "Tarifit",
    "mey": "Hassaniyya",
    "ber": "Berber languages",
    "en": "English",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "hi": "Hindi",
    "tr": "Turkish",
    "ko": "Korean",
    "ja": "Japanese",
    "zh": "Chinese",
    "und": "Undetermined",
    "zxx": "No linguistic content",
}
AMAZIGH_LANGUAGES = ("zgh", "tzm", "shi", "rif", "ber")
_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


def slug(text: str) -> str:
    """Fold a label to an id: lower case, accents dropped, runs of other characters to '-'.

    Non-Latin letters are kept as they are, so an Arabic label still has a slug.
    """
    folded = unicodedata.normalize("NFKD", text.strip().lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", "-", folded).strip("-")


def normalise_language(tag: str) -> str | None:
    """Return a well-formed BCP-47 tag (``ary``, ``ary-Latn``, ``fr-MA``) or None.

    Case is normalised the BCP-47 way (language lower, script title, region upper).
    """
    parts = tag.strip().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return None
    fixed = [parts[0].lower()]
    for part in parts[1:]:
        fixed.append(part.title() if len(part) == 4 else part.upper())
    result = "-".join(fixed)
    return result if _BCP47.match(result) else None


def normalise_region(value: str) -> str | None:
    """Map a region id, code, French or Arabic name onto its canonical id."""
    key = value.strip()
    for region in REGIONS:
        if key in (region.id, str(region.code), region.ar) or slug(key) in (
            region.id,
            slug(region.fr),
        ):
            return region.id
    return None


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str:
    """A "did you mean" suffix for error messages, empty when nothing is close."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def age_band(age: int) -> str:
    """Bucket an age in years into the AGE_BANDS used everywhere in halqa."""
    if age < 18:
        return "<18"
    for upper, band in ((24, "18-24"), (34, "25-34"), (44, "35-44"), (54, "45-54")):
        if age <= upper:
            return band
    return "55+"
