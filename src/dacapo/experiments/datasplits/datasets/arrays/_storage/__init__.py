"""Everything that touches bytes: kvstores, container formats, metadata conventions."""
