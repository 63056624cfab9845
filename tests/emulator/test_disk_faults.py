"""When the disk fails the emulator, every answer is true: an operation that failed did not
happen, one reported done was done, and no write is acknowledged into a removed data dir."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

import anyio
import httpx
import pytest

from gradient_sdk.emulator.storage import Adapters, WeightStore

from .conftest import Harness

pytestmark = pytest.mark.anyio


async def base_id(raw: httpx.AsyncClient) -> str:
    listing = await raw.get("/models", params={"onlyBase": "true"})
    return str(listing.json()["models"][0]["id"])


async def create_adapter(raw: httpx.AsyncClient) -> httpx.Response:
    return await raw.post(
        "/models", json={"model": {"baseModelId": await base_id(raw), "name": "a"}}
    )


async def adapters_listed(raw: httpx.AsyncClient) -> list[str]:
    listing = await raw.get("/models")
    return [m["id"] for m in listing.json()["models"] if m["type"] == "modelAdapter"]


def full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def full_database(*args: object, **kwargs: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize(
    ("target", "fault"),
    [(WeightStore, "write"), (Adapters, "add")],
    ids=["weights", "database"],
)
async def test_no_space_is_507_and_nothing_happened(
    emulator: Harness, monkeypatch: pytest.MonkeyPatch, target: type, fault: str
) -> None:
    raw = emulator.raw()
    monkeypatch.setattr(target, fault, full_disk if target is WeightStore else full_database)

    response = await create_adapter(raw)

    assert response.status_code == 507
    assert response.json() == {
        "message": "no space left on the data dir's disk; the operation was not done"
    }
    assert await adapters_listed(raw) == []


async def test_a_delete_whose_folder_stays_is_still_a_delete(
    emulator: Harness, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    raw = emulator.raw()
    adapter_id = (await create_adapter(raw)).json()["id"]

    def stuck(self: WeightStore, adapter: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(data_dir))

    monkeypatch.setattr(WeightStore, "remove", stuck)
    deleted = await raw.delete(f"/models/{adapter_id}")

    assert deleted.status_code == 200
    assert await adapters_listed(raw) == []
    assert (await raw.get(f"/models/{adapter_id}")).status_code == 404


async def test_writes_into_a_removed_data_dir_are_refused(
    emulator: Harness, data_dir: Path
) -> None:
    raw = emulator.raw()
    shutil.rmtree(data_dir)

    response = await create_adapter(raw)

    assert response.status_code == 503
    assert "was removed while the emulator ran" in response.json()["message"]
    assert not await anyio.Path(data_dir).exists()  # nothing recreated it half empty
