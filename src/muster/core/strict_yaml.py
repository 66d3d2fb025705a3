"""Reading YAML that people write by hand, strictly: a key given twice is an error, and every
way a file can fail to be read comes back as one exception with a plain message.

Parameter files and policy files both read this way; each wraps the message with its own error
naming the file.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml


class YamlProblem(Exception):
    """The text is not a YAML document Muster will read; the message says why."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            continue  # construct_mapping refuses it: "found unhashable key"
        if key in seen:
            raise YamlProblem(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path | Any) -> Any:
    """The document in a file, or YamlProblem."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}") from None
    except UnicodeDecodeError as error:
        raise YamlProblem(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as error:
        # PyYAML's constructors raise plain errors for a scalar that looks like a type and is
        # not one: a date 2025-02-30, `!!float ten`, `!!float` alone, `!!bool maybe`.
        raise YamlProblem(f"not a valid YAML value ({error!r})") from None
    except RecursionError:
        raise YamlProblem("nested too deeply") from None
