"""The steps ``halqa demo`` runs, one module each, in the order ``halqa.demo.run.DEMO_STEPS`` lists.

A step is ``fn(store, world, console) -> dict``: it calls the domains' public API on the demo
store, prints what it found and returns the JSON-ready dict ``halqa demo --json`` shows under
``steps.<function name>``. The planted manifest is read only to check what a step found. The
domains (insights, audience, recommend, studio) know nothing of the demo; the demo knows them.
"""
