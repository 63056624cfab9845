"""The async client. Its files are the source of ``gradient_sdk/_sync`` (scripts/unasync.py)."""
