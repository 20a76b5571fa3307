"""Namespace for the DaCapo arrays subsystem (only ``arrays`` is implemented here)."""
