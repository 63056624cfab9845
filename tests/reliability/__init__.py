"""Issue 5: reliability and security, proven by tests that fail when it breaks.

SDK side (here now):

* ``fault_server.py``: a misbehaving Gradient API on 127.0.0.1 (resets, truncation, hangs,
  drips, 429/5xx, huge bodies), scriptable per path, counting attempts and executions.
* ``conftest.py``: the server fixture, short real backoff, leak-checked clients, and the
  figures printed at the end of a run (quoted in docs/reliability.md).
* ``test_sdk_faults.py``: every fault through asyncio, trio and the sync client; fine-tunes
  never run twice; cancellation; 200 concurrent calls.
* ``test_wire_properties.py``: Hypothesis properties of the wire converter.
* ``test_secrets.py``: the access token in no repr, error, traceback or log record.

Emulator side (to come, one module each, reusing ``conftest.py``'s figures):
``test_emulator_schema.py`` (schemathesis), ``test_emulator_crash.py`` (SIGKILL mid
fine-tune), ``test_emulator_isolation.py`` (workspaces, tokens, path ids),
``test_emulator_limits.py`` (size and count limits), and the emulator's logs in
``test_secrets.py``.
"""
