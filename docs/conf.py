"""Sphinx configuration: MyST pages, the furo theme, the API reference from the docstrings.

``python3 -m nox -s docs`` builds it with every warning an error (``-W --keep-going -n``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import gradient_sdk  # noqa: E402

project = "gradient-sdk"
author = "gradient-sdk developers"
copyright = "gradient-sdk developers"
release = gradient_sdk.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_design",
    "public_api",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py"]
# Code fences without a language are plain text (tables of output, trees, listings).
highlight_language = "none"

myst_enable_extensions = ["colon_fence", "deflist"]
# Links to a section of another page: [text](errors-and-retries.md#retries).
myst_heading_anchors = 3

# The API reference: members in source order, type hints in the signature, Google-style
# "Args:" sections read by napoleon.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
python_use_unqualified_type_names = True
python_maximum_signature_line_length = 88

# Nitpicky (-n): every cross-reference must resolve. Our own names always do (the public_api
# extension maps private paths to the public ones and fails on a name left undocumented).
# The standard library and third-party libraries have no inventory here (intersphinx needs
# the network, which the build does without), so their names are allowed unresolved.
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(collections\.abc|datetime|os|pathlib|types|typing_extensions"  # the standard library
        r"|annotated_types|httpx|numpy|starlette)(\..+)?",  # third-party libraries
    ),
    ("py:class", "NDArray"),  # numpy.typing's, imported under TYPE_CHECKING only
]

html_theme = "furo"
html_title = f"gradient-sdk {release}"
