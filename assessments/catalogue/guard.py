"""Limits a YAML text must meet before it is built into objects.

Anchors and aliases let a small file expand into a huge document ("billion laughs": 100 KB with
fan-out 10 and depth 6 became 45 MB of JSON), and deep nesting makes the recursive constructor,
pydantic and ``json`` raise ``RecursionError``. This module walks PyYAML's event stream, which is
produced by a state machine without recursion and builds nothing, and counts what the document
would become once every alias is expanded. Only a text within all limits is handed to the loader.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from django.utils.translation import gettext as _

from .fields import CatalogueError

# The shipped catalogues (2026.11: 3 aliases, depth 11, ~5,500 nodes, ~75,000 characters once
# expanded; 2026.12: 5 aliases, depth 11, ~8,800 nodes, ~141,000 characters) stay far below.
MAX_ALIASES = 100
MAX_DEPTH = 24
MAX_NODES = 100_000
MAX_CHARS = 3_000_000


@dataclass
class _Frame:
    anchor: str | None
    nodes: int = 1
    chars: int = 0
    depth: int = 0  # nesting below this collection


@dataclass(frozen=True)
class Shape:
    aliases: int
    depth: int
    nodes: int
    chars: int


def _event_loader() -> type:
    # libyaml's parser is a state machine in C as well, and about ten times faster.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_shape(text: str, *, loader: type | None = None) -> Shape:
    """Measure ``text`` without building it; raise ``CatalogueError`` at the first limit crossed."""
    loader = loader or _event_loader()
    # anchor -> (nodes, chars, depth) of the anchored node once expanded
    anchors: dict[str, tuple[int, int, int]] = {}
    stack: list[_Frame] = [_Frame(anchor=None, nodes=0)]
    aliases = nodes = chars = max_depth = 0

    def grow(add_nodes: int, add_chars: int, depth: int) -> None:
        nonlocal nodes, chars, max_depth
        nodes += add_nodes
        chars += add_chars
        max_depth = max(max_depth, depth)
        frame = stack[-1]
        frame.nodes += add_nodes
        frame.chars += add_chars
        if depth > MAX_DEPTH:
            raise CatalogueError(
                [
                    _(
                        "YAML: Die Daten sind zu tief verschachtelt (mehr als %(max)d Ebenen). "
                        "Bitte prüfen Sie Klammern und Einrückung."
                    )
                    % {"max": MAX_DEPTH}
                ]
            )
        if (nodes > MAX_NODES or chars > MAX_CHARS) and not aliases:
            raise CatalogueError(
                [
                    _(
                        "YAML: Die Datei enthält zu viele Werte (mehr als %(nodes)s Werte oder "
                        "%(chars)s Zeichen). So groß ist kein Fragebogen."
                    )
                    % {"nodes": f"{MAX_NODES:,}", "chars": f"{MAX_CHARS:,}"}
                ]
            )
        if nodes > MAX_NODES or chars > MAX_CHARS:
            raise CatalogueError(
                [
                    _(
                        "YAML: Die Datei wird beim Auflösen der Anker (&) und Verweise (*) zu "
                        "groß (mehr als %(nodes)s Werte oder %(chars)s Zeichen). Ein Fragebogen "
                        "braucht das nie; bitte Verweise ausschreiben."
                    )
                    % {"nodes": f"{MAX_NODES:,}", "chars": f"{MAX_CHARS:,}"}
                ]
            )

    try:
        for event in yaml.parse(text, Loader=loader):
            level = len(stack) - 1
            if isinstance(event, yaml.ScalarEvent):
                grow(1, len(event.value), level + 1)
                if event.anchor:
                    anchors[event.anchor] = (1, len(event.value), 1)
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise CatalogueError(
                        [
                            _(
                                "YAML: Die Datei enthält mehr als %(max)d Verweise (*). "
                                "Bitte Verweise ausschreiben."
                            )
                            % {"max": MAX_ALIASES}
                        ]
                    )
                # An unknown anchor is reported by the loader with its line.
                a_nodes, a_chars, a_depth = anchors.get(event.anchor, (1, 0, 1))
                grow(a_nodes, a_chars, level + a_depth)
            elif isinstance(event, yaml.CollectionStartEvent):
                grow(1, 0, level + 1)
                stack.append(_Frame(anchor=event.anchor))
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                parent = stack[-1]
                # grow() already counted the nodes; hand them up to the enclosing collection
                parent.nodes += frame.nodes - 1
                parent.chars += frame.chars
                parent.depth = max(parent.depth, frame.depth + 1)
                if frame.anchor:
                    anchors[frame.anchor] = (frame.nodes, frame.chars, frame.depth + 1)
    except yaml.YAMLError as error:
        if "nesting depth" in str(error):  # libyaml's own limit (1,000 levels)
            grow(0, 0, MAX_DEPTH + 1)
        if loader is not yaml.SafeLoader:
            # libyaml also refuses what it finds too deep; measure again with PyYAML's own
            # (equally non-recursive) parser, which reads on to the limits above.
            return yaml_shape(text, loader=yaml.SafeLoader)
        # A syntax error: the loader reports it with line and column.
    return Shape(aliases=aliases, depth=max_depth, nodes=nodes, chars=chars)
