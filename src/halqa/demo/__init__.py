"""The seeded Moroccan demo world and the end-to-end ``halqa demo`` job.

``generate_world`` writes creators, titles and members (CSV), events (Parquet
parts, streamed) and ``planted.json``, the manifest of every planted dynamic.
``run_demo`` generates, ingests and runs every step registered in ``DEMO_STEPS``.
"""

from halqa.demo.run import DEMO_STEPS, run_demo
from halqa.demo.world import World, generate_world

__all__ = ["DEMO_STEPS", "World", "generate_world", "run_demo"]
