"""The sync client, generated from ``gradient_sdk/_async`` by scripts/unasync.py."""
