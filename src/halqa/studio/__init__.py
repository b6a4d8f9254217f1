"""The creators' studio: assistants for screenplays (``script``), music (``music``) and
visual effects (``vfx``).

AI augments the artist here: every generated asset carries its provenance
(``common.Provenance``, a sidecar JSON and, for media, a C2PA manifest) and stays a
proposal until a person accepts or rejects it (``common.ProposalBook``). What the three
assistants share lives in ``common``; each assistant is its own sub-package and may
import ``common`` and the public API of the other domains, nothing else.
"""
