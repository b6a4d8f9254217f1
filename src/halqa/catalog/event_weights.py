"""How much confidence each event type adds to a (member, title) pair, by default.

A catalogue fact, read by the recommenders (``halqa.recommend.EventWeights`` makes it
configurable per dataset) and by targeting, which must not import the recommenders to know it.
"""

from __future__ import annotations

from types import MappingProxyType

# complete > like > share > add_to_list > play > skip; a dislike removes preference but
# still counts as seen. Every weight is configurable per dataset.
DEFAULT_WEIGHTS = MappingProxyType(
    {
        "complete": 4.0,
        "like": 3.0,
        "share": 3.0,
        "add_to_list": 2.0,
        "download": 2.0,
        "rate": 2.0,
        "view": 1.0,
        "play": 1.0,
        "listen": 1.0,
        "search_click": 0.5,
        "skip": 0.1,
        "dislike": -4.0,
    }
)

# Event types whose value is an amount of use (plays, seconds): more of it is more confidence.
COUNTED_EVENTS = ("play", "listen", "view")
