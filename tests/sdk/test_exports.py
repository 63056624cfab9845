"""The package imports each public name on first use: the table that says where each name is
written, the package's ``__all__`` and its typing imports agree, and laziness changes nothing
a user sees."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import gradient_sdk
from gradient_sdk._exports import ALIASES, EXPORTS, MODULE_OF

INIT = Path(gradient_sdk.__file__)


def _run(code: str, **environment: str) -> object:
    """Run ``code`` in a fresh interpreter; it prints one JSON document."""
    env = {"PATH": "/usr/bin:/bin", **environment}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(done.stdout)


def _typing_imports() -> set[str]:
    """The names the package's ``if TYPE_CHECKING:`` block gives type checkers."""
    tree = ast.parse(INIT.read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and any(isinstance(child, ast.ImportFrom) and child.level for child in node.body)
    )
    names: set[str] = set()
    for node in block.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_the_table_the_all_list_and_the_typing_imports_name_the_same_things():
    public = set(gradient_sdk.__all__)

    assert set(MODULE_OF) | set(ALIASES) == public
    assert _typing_imports() == public
    assert len(gradient_sdk.__all__) == len(public)  # no name twice


def test_no_name_is_in_two_modules_of_the_table():
    listed = [name for names in EXPORTS.values() for name in names]

    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("name", sorted(MODULE_OF))
def test_each_name_is_the_object_its_module_holds(name):
    module = importlib.import_module(MODULE_OF[name], "gradient_sdk")

    assert getattr(gradient_sdk, name) is getattr(module, name)


@pytest.mark.parametrize(("alias", "target"), sorted(ALIASES.items()))
def test_gradientais_names_are_the_same_objects(alias, target):
    assert getattr(gradient_sdk, alias) is getattr(gradient_sdk, target)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Gradiant'"):
        _ = gradient_sdk.Gradiant  # type: ignore[attr-defined]


def test_dir_lists_every_public_name():
    assert set(gradient_sdk.__all__) <= set(dir(gradient_sdk))


def test_import_gradient_sdk_alone_imports_neither_httpx_nor_the_records():
    loaded = _run(
        "import json, sys, gradient_sdk; "
        "print(json.dumps({m: m in sys.modules for m in "
        "['httpx', 'attrs', 'typing', 'gradient_sdk.records', 'gradient_sdk._async.client']}))"
    )

    assert loaded == {
        "httpx": False,
        "attrs": False,
        "typing": False,
        "gradient_sdk.records": False,
        "gradient_sdk._async.client": False,
    }


def test_a_client_is_imported_and_made_without_the_records_until_a_resource_is_used():
    # The records (about 110 attrs classes) cost more to import than httpx: they come with
    # the first resource used. attrs is checked before the client is made, since httpcore
    # imports trio, and trio attrs, where trio is installed.
    seen = _run(
        "import json, sys\n"
        "ours = ['attrs', 'cattrs', 'gradient_sdk.records', 'gradient_sdk._wire',"
        " 'gradient_sdk._endpoints', 'gradient_sdk._async.models']\n"
        "from gradient_sdk import AsyncGradient\n"
        "imported = {m: m in sys.modules for m in ours}\n"
        "client = AsyncGradient(access_token='t', workspace_id='w')\n"
        "made = {m: m in sys.modules for m in ours[2:]}\n"
        "client.list_models\n"
        "used = {m: m in sys.modules for m in ours[2:]}\n"
        "print(json.dumps([imported, made, used]))"
    )

    imported, made, used = seen  # type: ignore[misc]
    assert not any(imported.values()), imported
    assert not any(made.values()), made
    assert used == {
        "gradient_sdk.records": True,
        "gradient_sdk._wire": False,  # the converter waits for the first answer
        "gradient_sdk._endpoints": True,
        "gradient_sdk._async.models": True,
    }


def test_a_record_reached_without_the_package_still_shows_the_public_module():
    # A response record first met as the answer of a call, never as gradient_sdk.X.
    shown = _run(
        "import json; from gradient_sdk.records.models import CompleteResponse as R; "
        "from gradient_sdk.errors import NotFoundError as E; "
        "from gradient_sdk._wire import from_wire_dict; "
        "r = from_wire_dict({'finishReason': 'length', 'generatedOutput': 'x'}, R); "
        "print(json.dumps([R.__module__, E.__module__, type(r).__qualname__]))"
    )

    assert shown == ["gradient_sdk", "gradient_sdk", "CompleteResponse"]


def test_star_import_gives_every_public_name():
    names = _run(
        "import json; ns = {}; exec('from gradient_sdk import *', ns); "
        "print(json.dumps(sorted(k for k in ns if k != '__builtins__')))"
    )

    assert names == sorted(gradient_sdk.__all__)


def test_gradient_log_still_applies_from_the_import_on():
    level = _run(
        "import json, logging, gradient_sdk; "
        "print(json.dumps(logging.getLogger('gradient_sdk').level))",
        GRADIENT_LOG="debug",
    )

    assert level == 10
