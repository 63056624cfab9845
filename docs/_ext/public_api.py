"""The API reference under the public module paths, and nothing public left out.

- A type hint names where a class was written (``gradient_sdk.records.models.CompleteRequest``,
  ``gradient_sdk._async.handles.AsyncBaseModel``); a reference to such a path resolves to the
  entry of the same object under its public name (``gradient_sdk.records.CompleteRequest``).
  The match is by identity of the object, never by a bare name. A bare name in a docstring
  (``:class:`NotFoundError```) is looked up in its class, then in the packages above it.
- The resource classes (``client.models`` is an ``AsyncModels``) live in private modules that
  users never import; their headings show the class name without the private module. Classes
  that only the SDK makes (resources, handles: their constructors take a transport or a
  resource) are shown without a constructor signature.
- ``.. client-resources:: gradient_sdk.AsyncGradient`` documents what a client sets up in its
  constructor: the resources (``client.models``, ...) and gradientai's shortcuts, which are
  the resources' own bound methods (``client.list_models is client.models.list_models``).
  They are read off a client made for the purpose, so a new resource or shortcut shows up
  without an edit here.
- A builtin type in a signature stays plain text (there is no inventory to link it to).
- At the end of reading, every name of the public modules' ``__all__`` must have been
  documented under that module, or the build fails (a warning, and the build runs with -W).
"""

from __future__ import annotations

import builtins
import functools
import importlib
import inspect
import pkgutil
import re
import sys
from typing import Any, ClassVar, TypeVar

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.inspect import signature as signature_of
from sphinx.util.inspect import stringify_signature
from sphinx.util.nodes import find_pending_xref_condition

logger = logging.getLogger(__name__)

#: The modules whose ``__all__`` is the public API; each name is documented under its module.
PUBLIC_MODULES = (
    "gradient_sdk",
    "gradient_sdk.records",
    "gradient_sdk.emulator",
    "gradient_sdk.emulator.engines",
    "gradient_sdk.langchain",
)
#: A name another public module shares with ``gradient_sdk`` (the same object: most records,
#: ``ErrorType``) is documented once, under ``gradient_sdk``.
TOP_LEVEL = "gradient_sdk"
PRIVATE_PREFIX = "gradient_sdk._"


def _import(path: str) -> Any:
    """The object at a dotted path such as ``gradient_sdk.records.models.CompleteRequest``."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            value = getattr(value, attribute)
        return value
    raise ImportError(path)


def _documented(env: BuildEnvironment) -> dict[str, Any]:
    """The Python objects documented so far: full name to entry."""
    objects: dict[str, Any] = env.get_domain("py").objects  # type: ignore[attr-defined]
    return objects


def _public_names(env: BuildEnvironment) -> dict[int, str]:
    """Each documented class or function by identity: ``id(object)`` to its documented name.

    Data is left out: two constants may be the same object (small ints) without being the
    same name.
    """
    documented = _documented(env)
    cached: tuple[int, dict[int, str]] | None = getattr(env, "_public_api_names", None)
    if cached is not None and cached[0] == len(documented):
        return cached[1]
    names: dict[int, str] = {}
    for name, entry in documented.items():
        if entry.objtype == "module":
            continue
        try:
            value = _import(name)
        except (ImportError, AttributeError):
            continue
        if isinstance(value, type) or inspect.isroutine(value):
            names.setdefault(id(value), name)
    env._public_api_names = (len(documented), names)  # type: ignore[attr-defined]
    return names


def _inherited(class_path: str, member: str) -> Any:
    """The function ``member`` of a class, wherever in its bases it is defined, or None."""
    try:
        owner = _import(class_path)
    except (ImportError, AttributeError):
        return None
    value = inspect.getattr_static(owner, member, None)
    return value if inspect.isroutine(value) else None


def _in_enclosing_package(env: BuildEnvironment, module: str, name: str) -> str | None:
    """``name`` as documented in ``module`` or the nearest package above it that exports the
    same object: ``SPEECH_SAMPLE_RATE`` written in ``gradient_sdk.emulator.engines.base`` is
    ``gradient_sdk.emulator.engines.SPEECH_SAMPLE_RATE``."""
    documented = _documented(env)
    missing = object()
    own = getattr(sys.modules.get(module), name, missing)
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        candidate = ".".join([*parts[:depth], name])
        if candidate in documented and (own is missing or _import(candidate) is own):
            return candidate
    return None


def resolve_private_paths(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """A reference to an object by the module it was written in finds its public entry."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py":
        return None
    module, within = node.get("py:module") or "", node.get("py:class")
    name: str | None = None
    if "." not in target and module.startswith("gradient_sdk"):
        # A bare name in a docstring of the package: a member of the class it is written in
        # (one it inherits from a private base included), else a name of its package.
        inherited = _inherited(f"{module}.{within}", target) if within else None
        if inherited is not None:
            name = _public_names(env).get(id(inherited))
        name = name or _in_enclosing_package(env, module, target)
    elif target.startswith("gradient_sdk."):
        try:
            wanted = _import(target)
        except (ImportError, AttributeError):
            return None
        if isinstance(wanted, TypeVar):
            return contnode  # a type variable has no entry of its own, like a builtin
        name = target if target in _documented(env) else _public_names(env).get(id(wanted))
    if name is None:
        return None
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], name, node, contnode
    )


def hide_private_modules(app: Sphinx, doctree: nodes.document) -> None:
    """``class gradient_sdk._async.models.AsyncModels`` is shown as ``class AsyncModels``."""
    for heading in doctree.findall(addnodes.desc_signature):
        if heading.get("module", "").startswith(PRIVATE_PREFIX):
            for prefix in list(heading.findall(addnodes.desc_addname)):
                if prefix.astext().startswith(PRIVATE_PREFIX):
                    prefix.parent.remove(prefix)


def unlink_builtins(app: Sphinx, doctree: nodes.document) -> None:
    """A builtin type in a signature (``type[T]``) is plain text, as it would be anyway with
    no inventory of the standard library: left a reference, Sphinx looks it up by suffix and
    finds every record field named ``type``."""
    for reference in list(doctree.findall(addnodes.pending_xref)):
        target = reference.get("reftarget", "")
        if reference.get("refdomain") == "py" and isinstance(getattr(builtins, target, None), type):
            shown = find_pending_xref_condition(reference, "*") or reference
            reference.replace_self([child.deepcopy() for child in shown.children])


def _summary(value: Any) -> str:
    """The first paragraph of a docstring, on one line."""
    doc = inspect.getdoc(value) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class ClientResources(SphinxDirective):
    """The resources and shortcut methods of a client class, read off an instance."""

    required_arguments = 1
    has_content: ClassVar[bool] = False

    def run(self) -> list[nodes.Node]:
        client_class = _import(self.arguments[0])
        # No request is sent: a client only opens connections when it is used.
        client = client_class(access_token="documentation", workspace_id="documentation")
        # A client makes its resources and shortcuts on first use: make them all, in order.
        from gradient_sdk._async.client import RESOURCES, SHORTCUTS

        for name in (*RESOURCES, *SHORTCUTS):
            getattr(client, name)
        resources = {
            id(value): name
            for name, value in vars(client).items()
            if not name.startswith("_") and not inspect.ismethod(value)
        }
        lines: list[str] = []
        for name, value in vars(client).items():
            if name.startswith("_"):
                continue
            if not inspect.ismethod(value):
                lines += [
                    f".. py:attribute:: {name}",
                    f"   :type: {_path(type(value))}",
                    "",
                    f"   {_summary(type(value))}",
                    "",
                ]
                continue
            owner = type(value.__self__)
            resource = resources[id(value.__self__)]
            method = value.__func__.__name__
            signature_text = stringify_signature(signature_of(value), unqualified_typehints=True)
            lines += [
                f".. py:method:: {name}{signature_text}",
                *(["   :async:"] if inspect.iscoroutinefunction(value) else []),
                "",
                f"   The same method as :meth:`client.{resource}.{method} "
                f"<{_path(owner)}.{method}>`.",
                "",
            ]
        if hasattr(client, "close") and not inspect.iscoroutinefunction(client.close):
            client.close()
        return self.parse_text_to_nodes("\n".join(lines))


@functools.cache
def _private_class_names() -> frozenset[str]:
    """Classes of the client packages that are not exported: transports, resources, bases."""
    names: set[str] = set()
    for flavour in ("gradient_sdk._async", "gradient_sdk._sync"):
        package = importlib.import_module(flavour)
        for found in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{flavour}.{found.name}")
            names.update(
                value.__name__
                for value in vars(module).values()
                if isinstance(value, type) and value.__module__ == module.__name__
            )
    return frozenset(names)


def hide_internal_constructors(
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str, None] | None:
    """No signature for a class whose constructor takes the SDK's private objects."""
    if what not in ("class", "exception") or not isinstance(obj, type):
        return None
    try:
        parameters = inspect.signature(obj.__init__).parameters.values()
    except (TypeError, ValueError):
        return None
    for parameter in parameters:
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if _private_class_names().intersection(re.findall(r"\w+", text)):
            return ("", None)
    return None


def check_every_public_name(app: Sphinx, env: BuildEnvironment) -> None:
    """Fail the build when a public name has no entry under its public module."""
    documented = _documented(env)
    top_level = importlib.import_module(TOP_LEVEL)
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            shared = name in top_level.__all__ and getattr(top_level, name) is getattr(module, name)
            home = TOP_LEVEL if shared else module_name
            if f"{home}.{name}" not in documented:
                logger.warning(
                    "%s.%s is public (in __all__) but not in the API reference",
                    module_name,
                    name,
                    type="public_api",
                )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("client-resources", ClientResources)
    app.connect("missing-reference", resolve_private_paths)
    app.connect("autodoc-process-signature", hide_internal_constructors)
    app.connect("doctree-read", hide_private_modules)
    app.connect("doctree-read", unlink_builtins)
    app.connect("env-check-consistency", check_every_public_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
