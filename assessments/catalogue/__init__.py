"""The questionnaire catalogue: YAML in, validated ``CatalogueDocument`` out.

``load_document`` parses YAML safely and validates it; ``validate_document`` validates already
parsed data and returns the plain JSON form that is stored per questionnaire version.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext

from .document import CatalogueDocument, to_plain, validate_document, validate_model
from .fields import CatalogueError

CATALOGUE_DIR = Path(__file__).resolve().parent


# libyaml's parser when PyYAML was built with it: the same safe constructor, about ten times faster
# on the shipped catalogue (every activation, upload and test parses one).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueLoader(_BaseLoader):
    """``SafeLoader`` that refuses duplicate mapping keys and reads booleans as YAML 1.2 does.

    PyYAML follows YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans: ``equals: no`` or an
    option key ``yes`` would silently turn into ``False``/``True``. Only ``true``/``false`` are
    booleans here.
    """


CatalogueLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CatalogueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: CatalogueLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = seen.get(key)
        except TypeError:  # unhashable key; the base constructor reports it
            continue
        if first is not None:
            message = gettext(
                "Zeile %(line)s: Schlüssel %(key)r kommt doppelt vor (zuerst in Zeile %(first)s)"
            )
            # noted, and reading goes on (the later value wins) so that every other problem of
            # the file is reported in the same answer
            loader.problems.append(message % {"line": line, "key": key, "first": first})
            continue
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


CatalogueLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    """Parse YAML with ``CatalogueLoader``; syntax errors become ``CatalogueError``.

    The text is measured first (aliases, expanded size, nesting depth; see ``guard``) so that no
    file can expand into a huge document or exhaust the recursion of the loader.
    """
    data, problems = parse_yaml_collecting(text)
    if problems:
        raise CatalogueError(problems)
    return data


def parse_yaml_collecting(text: str) -> tuple[Any, list[str]]:
    """``parse_yaml`` that returns the duplicate keys it found instead of stopping at the first.

    Syntax errors and limits still raise ``CatalogueError``: there is no document to go on with.
    """
    from .guard import yaml_shape

    yaml_shape(text)
    loader = CatalogueLoader(text)
    loader.problems = []
    try:
        return loader.get_single_data(), loader.problems
    except RecursionError:
        raise CatalogueError(
            [gettext("YAML: Die Daten sind zu tief verschachtelt. Bitte prüfen Sie die Klammern.")]
        ) from None
    except yaml.MarkedYAMLError as error:
        # libyaml's own description of the problem stays in English; where it is, is translated.
        mark = error.problem_mark
        problem = error.problem or str(error)
        if mark is None:
            raise CatalogueError([gettext("YAML: %(problem)s") % {"problem": problem}]) from None
        message = gettext("YAML: Zeile %(line)s, Spalte %(column)s: %(problem)s") % {
            "line": mark.line + 1,
            "column": mark.column + 1,
            "problem": problem,
        }
        raise CatalogueError([message]) from None
    except yaml.YAMLError as error:
        raise CatalogueError([gettext("YAML: %(problem)s") % {"problem": error}]) from None
    finally:
        loader.dispose()


def _read(source: str | Path) -> str:
    # Only a ``Path`` (from our own code) is ever opened; a string is always YAML text, even one
    # that looks like a file name, so an uploaded file can never make the server read a path.
    if isinstance(source, Path):
        return source.read_text(encoding="utf-8")
    return source


def load_document(source: str | Path | dict) -> CatalogueDocument:
    """Parse (a ``Path``, YAML text or an already parsed dict) and validate a catalogue.

    Raises ``CatalogueError`` whose ``messages`` name the key path and what is wrong.
    """
    if isinstance(source, dict):
        return validate_model(source)
    data, problems = parse_yaml_collecting(_read(source))
    try:
        document = validate_model(data)
    except CatalogueError as error:
        raise CatalogueError([*problems, *error.messages]) from None
    if problems:
        raise CatalogueError(problems)
    return document


def default_catalogue_path() -> Path:
    """The newest shipped catalogue (versions sort as text: ``2026.11`` < ``2027.01``)."""
    return max(CATALOGUE_DIR.glob("ki-readiness-*.yaml"))


__all__ = [
    "CATALOGUE_DIR",
    "CatalogueDocument",
    "CatalogueError",
    "CatalogueLoader",
    "default_catalogue_path",
    "load_document",
    "parse_yaml",
    "to_plain",
    "validate_document",
    "validate_model",
]
