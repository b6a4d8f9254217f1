"""Audience insights: trends by segment, Hijri seasonality, lift, rising local talent,
fans-also-like, engagement, the dashboard's weekly timeline and regions, and the creative brief.

Every query is defined once in ``halqa.insights.queries`` and run through ``halqa.engines``.
Analytics read the consented views only and suppress any cell under k members (default 10).
"""

from halqa.insights.calendar import (
    Baseline,
    Period,
    choose_baseline,
    hijri_season,
    seasons_overlapping,
)
from halqa.insights.engagement import demand_supply, engagement
from halqa.insights.fans import fans_also_like
from halqa.insights.lift import segment_lift
from halqa.insights.regions import regions
from halqa.insights.segment import DEFAULT_K, Segment
from halqa.insights.talent import rising_talent
from halqa.insights.timeline import timeline
from halqa.insights.trends import rising_items, trends, trends_by

__all__ = [
    "DEFAULT_K",
    "Baseline",
    "Period",
    "Segment",
    "choose_baseline",
    "demand_supply",
    "engagement",
    "fans_also_like",
    "hijri_season",
    "regions",
    "rising_items",
    "rising_talent",
    "seasons_overlapping",
    "segment_lift",
    "timeline",
    "trends",
    "trends_by",
]
