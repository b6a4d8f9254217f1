"""The composition assistant: Moroccan and Mashriq modes and rhythms, MIDI/MusicXML/WAV out."""
