"""Request parsers: camelCase or snake_case JSON in, with a bound on how deep it may nest.

JSON's decoder and the snake_case walk both recurse once per level of nesting: a body nested a
thousand arrays deep ends in a RecursionError, far from any view. The parser measures the depth
first, in one flat pass over the text, and refuses a body nested deeper than
`MAX_JSON_DEPTH` with a ParseError (400 VALIDATION_ERROR), before anything recursive sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from djangorestframework_camel_case.parser import CamelCaseJSONParser
from djangorestframework_camel_case.util import underscoreize
from rest_framework.exceptions import ParseError

# No document of the platform nests deeper than a handful of levels; 64 leaves room.
MAX_JSON_DEPTH = 64

# A JSON string (escapes included) or one bracket. Strings are matched whole so that brackets
# inside them do not count; the pattern is the unrolled loop, linear in the text's length.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_depth(text: str, limit: int) -> int:
    """How deep `text` nests its arrays and objects, counting no further than `limit` + 1."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in ("]", "}"):
            depth -= 1
    return deepest


class BoundedCamelCaseJSONParser(CamelCaseJSONParser):
    """`CamelCaseJSONParser` that refuses bodies nested deeper than `MAX_JSON_DEPTH`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context=None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return underscoreize(data, **self.json_underscoreize)
