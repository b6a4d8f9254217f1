"""The seeded Moroccan demo world and the end-to-end ``halqa demo`` job.

``generate_world`` writes creators, titles and members (CSV), events (Parquet
parts, streamed) and ``planted.json``, the manifest of every planted dynamic.
"""

from halqa.demo.world import World, generate_world

__all__ = ["World", "generate_world"]
