"""Words and names the demo world builds its titles, creators and synopses from.

Every entry carries its renderings so that a title has a name in its own script
(Arabic-script Darija, Latin Arabizi, Tifinagh, French, English) and translations
in the others. Tamazight words are written in Latin (IRCAM-style letters) and
converted to Tifinagh by ``halqa.catalog.tifinagh``, so both spellings always agree.
"""

from __future__ import annotations

# Darija words: (Arabic script, Arabizi, French, English).
DARIJA_WORDS = (
    ("الدرب", "derb", "La ruelle", "The Alley"),
    ("الحومة", "l7ouma", "Le quartier", "The Neighbourhood"),
    ("ليام", "lyam", "Les jours", "The Days"),
    ("بلادي", "bladi", "Mon pays", "My Country"),
    ("الزنقة", "zan9a", "La rue", "The Street"),
    ("الدار الكبيرة", "dar lkbira", "La grande maison", "The Big House"),
    ("الغربة", "lghorba", "L'exil", "Exile"),
    ("البحر", "lb7ar", "La mer", "The Sea"),
    ("الليل", "lil", "La nuit", "The Night"),
    ("الحب", "lhob", "L'amour", "Love"),
    ("الواليدة", "lwalida", "La mère", "Mother"),
    ("الخاوة", "lkhawa", "Les frères", "Brothers"),
    ("الكار", "lkar", "Le car", "The Coach"),
    ("الحلقة", "l7al9a", "La halqa", "The Circle"),
    ("السوق", "ssou9", "Le souk", "The Market"),
    ("الدوار", "douar", "Le douar", "The Village"),
    ("الجيران", "jjiran", "Les voisins", "The Neighbours"),
    ("الشمس", "chems", "Le soleil", "The Sun"),
    ("الطريق", "tri9", "La route", "The Road"),
    ("كازا", "casa", "Casa", "Casa"),
    ("الحلم", "l7olm", "Le rêve", "The Dream"),
    ("المدينة القديمة", "lmdina l9dima", "La médina", "The Old City"),
    ("الفرحة", "lfer7a", "La joie", "Joy"),
    ("زمان", "zman", "Autrefois", "Back Then"),
    ("الخير", "lkhir", "Le bien", "Goodness"),
    ("ولاد الحومة", "wlad l7ouma", "Les enfants du quartier", "Kids of the Block"),
    ("القلب", "l9elb", "Le cœur", "The Heart"),
    ("الصبر", "sber", "La patience", "Patience"),
    ("الرزق", "rzq", "La fortune", "Fortune"),
    ("العرس", "l3ers", "Le mariage", "The Wedding"),
    ("الفطور", "lftour", "Le ftour", "Iftar"),
    ("الضو", "ddou", "La lumière", "The Light"),
)

# Standard Arabic title parts: (Arabic, French, English).
ARABIC_NOUNS = (
    ("ظلال", "Ombres", "Shadows"),
    ("رياح", "Vents", "Winds"),
    ("أسرار", "Secrets", "Secrets"),
    ("ذاكرة", "Mémoire", "Memory"),
    ("أبواب", "Portes", "Gates"),
    ("نجوم", "Étoiles", "Stars"),
    ("حكايات", "Contes", "Tales"),
    ("صمت", "Silence", "Silence"),
    ("رمال", "Sables", "Sands"),
)
ARABIC_PLACES = (
    ("الأطلس", "de l'Atlas", "of the Atlas"),
    ("الصحراء", "du désert", "of the Desert"),
    ("المدينة", "de la ville", "of the City"),
    ("البحر", "de la mer", "of the Sea"),
    ("الريف", "du Rif", "of the Rif"),
    ("سوس", "du Souss", "of the Souss"),
    ("فاس", "de Fès", "of Fez"),
    ("مراكش", "de Marrakech", "of Marrakesh"),
)

# Tamazight words (Latin spelling, French, English); Tifinagh comes from to_tifinagh.
TAMAZIGHT_WORDS = (
    ("azul", "Salut", "Hello"),
    ("adrar", "La montagne", "The Mountain"),
    ("aman", "L'eau", "Water"),
    ("tafukt", "Le soleil", "The Sun"),
    ("ayyur", "La lune", "The Moon"),
    ("tayri", "L'amour", "Love"),
    ("tamurt", "Le pays", "The Land"),
    ("asif", "La rivière", "The River"),
    ("tiwizi", "L'entraide", "Mutual Aid"),
    ("iɣrm", "Le village fortifié", "The Fortified Village"),
    ("tudrt", "La vie", "Life"),
    ("anzar", "La pluie", "Rain"),
    ("azkka", "Demain", "Tomorrow"),
    ("amarg", "La nostalgie", "Longing"),
    ("taddart", "La maison", "The House"),
    ("igenni", "Le ciel", "The Sky"),
    ("amud", "La graine", "The Seed"),
    ("aɣbalu", "La source", "The Spring"),
    ("awal", "La parole", "The Word"),
    ("tizi", "Le col", "The Pass"),
    ("amdyaz", "Le poète", "The Poet"),
    ("ajddig", "La fleur", "The Flower"),
    ("agadir", "Le grenier", "The Granary"),
    ("tafsut", "Le printemps", "Spring"),
    ("tamazirt", "Le bled", "The Homeland"),
    ("itri", "L'étoile", "The Star"),
)

# French and English title parts for foreign and francophone titles.
FRENCH_NOUNS = (
    "La Nuit",
    "Les Enfants",
    "Le Silence",
    "Les Rêves",
    "Le Retour",
    "La Promesse",
    "Le Dernier Été",
    "Les Ombres",
    "La Route",
    "Le Secret",
)
FRENCH_PLACES = (
    "de Tanger",
    "du Souk",
    "de Casablanca",
    "de l'Atlas",
    "d'Essaouira",
    "du Sud",
    "de Paris",
    "de la Médina",
    "du Port",
    "de Marseille",
)
ENGLISH_ADJS = (
    "Silent",
    "Broken",
    "Golden",
    "Last",
    "Hidden",
    "Wild",
    "Midnight",
    "Distant",
    "Burning",
    "Lost",
)
ENGLISH_NOUNS = (
    "Road",
    "Harbour",
    "Kingdom",
    "Signal",
    "Summer",
    "Horizon",
    "Echo",
    "Frontier",
    "Garden",
    "Orbit",
)

# People: (Latin, Arabic script). Amazigh first names get their Tifinagh from to_tifinagh.
FIRST_NAMES = (
    ("Youssef", "يوسف"),
    ("Fatima Zahra", "فاطمة الزهراء"),
    ("Hamza", "حمزة"),
    ("Salma", "سلمى"),
    ("Mehdi", "المهدي"),
    ("Khadija", "خديجة"),
    ("Anas", "أنس"),
    ("Imane", "إيمان"),
    ("Omar", "عمر"),
    ("Nadia", "نادية"),
    ("Soufiane", "سفيان"),
    ("Houda", "هدى"),
    ("Reda", "رضا"),
    ("Zineb", "زينب"),
    ("Ayoub", "أيوب"),
    ("Meryem", "مريم"),
)
LAST_NAMES = (
    ("El Amrani", "العمراني"),
    ("Bennani", "بناني"),
    ("Alaoui", "العلوي"),
    ("Tazi", "التازي"),
    ("Berrada", "برادة"),
    ("El Idrissi", "الإدريسي"),
    ("Chraibi", "الشرايبي"),
    ("Lahlou", "لحلو"),
    ("Benjelloun", "بنجلون"),
    ("Ouazzani", "الوزاني"),
    ("Fassi", "الفاسي"),
    ("Sqalli", "السقلي"),
)
# Latin spelling as written in Tamazight (for Tifinagh) and as usual in Latin
AMAZIGH_FIRST_NAMES = (
    ("idir", "Idir", "إيدير"),
    ("tiziri", "Tiziri", "تيزيري"),
    ("yuba", "Yuba", "يوبا"),
    ("tanirt", "Tanirt", "تانيرت"),
    ("amayas", "Amayas", "أماياس"),
    ("itri", "Itri", "إيتري"),
    ("anir", "Anir", "أنير"),
    ("tilila", "Tilila", "تيليلا"),
    ("aksel", "Aksel", "أكسل"),
    ("tafsut", "Tafsut", "تافسوت"),
)
AMAZIGH_LAST_NAMES = (
    ("ayt baha", "Aït Baha", "آيت باها"),
    ("usmman", "Oussemmane", "أوسمان"),
    ("amzil", "Amzil", "أمزيل"),
    ("id brahim", "Id Brahim", "إد براهيم"),
    ("ayt ɛli", "Aït Ali", "آيت علي"),
    ("ubella", "Oubella", "أوبلا"),
)
STAGE_PREFIXES = ("L'", "Don ", "Lil ", "Big ", "MC ", "Dj ", "")
STAGE_WORDS = (
    "Casawi",
    "Rebel",
    "Sahrawi",
    "Bidaoui",
    "Nayda",
    "Zanqa",
    "Medina",
    "Atlas",
    "Souiri",
    "Derb",
    "Fnaire",
    "Haj",
    "Toto",
    "Mo",
    "Kaz",
)
FOREIGN_NAMES = (
    ("FR", "Claire Martin"),
    ("FR", "Julien Moreau"),
    ("US", "Daniel Brooks"),
    ("US", "Emily Carter"),
    ("EG", "Karim Abdel Aziz"),
    ("ES", "Lucía Romero"),
    ("GB", "Oliver Hughes"),
    ("TR", "Elif Yıldız"),
    ("EG", "Mona Zaki"),
    ("FR", "Inès Garnier"),
)

# Keywords per theme for synopses: theme -> (Darija, Standard Arabic, French, English, Tamazight
# Latin).
THEME_WORDS = {
    "migration": ("الحريك", "الهجرة", "l'exil", "migration", "amarg"),
    "youth": ("الشباب", "الشباب", "la jeunesse", "youth", "ilmẓiyn"),
    "women": ("العيالات", "النساء", "les femmes", "women", "tiwtmin"),
    "family-ties": ("العائلة", "العائلة", "la famille", "family", "tawja"),
    "ramadan": ("رمضان", "رمضان", "le Ramadan", "Ramadan", "ramdan"),
    "heritage": ("التراث", "التراث", "le patrimoine", "heritage", "tamkrḍ"),
    "amazigh-identity": (
        "تمازيغت",
        "الهوية الأمازيغية",
        "l'identité amazighe",
        "Amazigh identity",
        "tamazɣa",
    ),
    "rural-life": ("العروبية", "الحياة القروية", "la vie rurale", "rural life", "taddart"),
    "city-life": ("المدينة", "حياة المدينة", "la ville", "city life", "tamdint"),
    "love": ("الحب", "الحب", "l'amour", "love", "tayri"),
    "football": ("الكورة", "كرة القدم", "le football", "football", "takurt"),
    "sahara": ("الصحرا", "الصحراء", "le Sahara", "the Sahara", "taneẓruft"),
    "sea": ("البحر", "البحر", "la mer", "the sea", "ilel"),
    "spirituality": ("الروحانية", "الروحانية", "la spiritualité", "spirituality", "tirrugza"),
    "celebration": ("العرس", "الأفراح", "la fête", "celebration", "tamɣra"),
    "protest": ("الحكرة", "الاحتجاج", "la contestation", "protest", "agraw"),
    "corruption": ("الرشوة", "الفساد", "la corruption", "corruption", "tarcwa"),
    "coming-of-age": ("الكبورية", "النضج", "le passage à l'âge adulte", "coming of age", "timɣurt"),
}
