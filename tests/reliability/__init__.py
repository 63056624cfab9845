"""Issue 5: reliability and security, proven by tests that fail when it breaks.

SDK side:

* ``fault_server.py``: a misbehaving Gradient API on 127.0.0.1 (resets, truncation, hangs,
  drips, 429/5xx, huge bodies), scriptable per path, counting attempts and executions.
* ``conftest.py``: the server fixture, short real backoff, leak-checked clients, and the
  figures printed at the end of a run (quoted in docs/reliability.md).
* ``test_sdk_faults.py``: every fault through asyncio, trio and the sync client; fine-tunes
  never run twice; cancellation; 200 concurrent calls.
* ``test_wire_properties.py``: Hypothesis properties of the wire converter.
* ``test_secrets.py``: the access token in no repr, error, traceback or log record.

Emulator side (helpers in ``emulator_support.py``):

* ``test_emulator_schema_fuzz.py``: schemathesis over the emulator's own OpenAPI document.
* ``test_emulator_crash_safety.py``: SIGKILL mid fine-tune and idle, then restart.
* ``test_emulator_isolation.py``: workspaces, tokens and path ids on every endpoint.
* ``test_emulator_limits.py``: size and count limits answered with the spec's 4xx.
* ``test_emulator_secrets.py``: the token in none of the emulator's logs.
"""
