"""The questionnaire catalogue: YAML in, validated plain dict out."""

from pathlib import Path

import yaml

from .schema import CatalogueError, validate_document

CATALOGUE_DIR = Path(__file__).resolve().parent


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise CatalogueError(
                [f"line {key_node.start_mark.line + 1}: duplicate key '{key}' in the same mapping"]
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_document(source: str | Path) -> dict:
    """Parse and validate a catalogue; raises ``CatalogueError`` listing every problem found."""
    if isinstance(source, Path):
        source = source.read_text(encoding="utf-8")
    try:
        data = yaml.load(source, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise CatalogueError([f"YAML: {error}"]) from None
    return validate_document(data)


def default_catalogue_path() -> Path:
    return max(CATALOGUE_DIR.glob("ki-readiness-*.yaml"))


__all__ = ["CatalogueError", "load_document", "default_catalogue_path", "validate_document"]
