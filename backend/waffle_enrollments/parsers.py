"""The JSON request parser of this app's views: strict, and never an exception other than a 4xx.

DRF's ``JSONParser`` hands the body to ``json.load`` as is, so some small bodies end in a 500:
deep nesting (``[[[[...]]]]``) raises ``RecursionError``, a 5,000-digit number ``ValueError`` from
Python's int limit deep inside the decoder, ``NaN``/``1e999`` become floats no field accepts, a lone
surrogate (``"\\ud800"``) becomes a string the database driver cannot encode, and duplicate keys
silently keep the last value. This parser refuses each of them with a sentence (400, or 415 for a
charset other than UTF-8) before any view code runs.
"""

import json
import re

from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

MAX_DEPTH = 16  # an enrollment request is one flat object
MAX_NUMBER_LENGTH = 40  # characters of one number literal
_UTF8 = {"utf-8", "utf8"}
# A bracket, or a JSON string literal (escapes included, unterminated at the end of the text too, so
# that every scan is linear); brackets inside strings do not count.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*\\?(?:"|$)|[\[\]{}]', re.DOTALL)


class _Refused(ValueError):
    """A body this parser will not accept; the message is the sentence for the client."""


def _reject_constant(name):
    raise _Refused(f"{name} is not a JSON number; send a number such as 3600.")


def _parse_int(text):
    if len(text) > MAX_NUMBER_LENGTH:
        raise _Refused(f"A number of {len(text)} digits is too long; numbers here are at most {MAX_NUMBER_LENGTH}.")
    return int(text)


def _parse_float(text):
    if len(text) > MAX_NUMBER_LENGTH:
        raise _Refused(f"A number of {len(text)} characters is too long; at most {MAX_NUMBER_LENGTH}.")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"The number {text} is too large; send a number of seconds such as 3600.")
    return value


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(f"The field '{key[:64]}' is given twice; give each field once.")
        obj[key] = value
    return obj


def _depth(text):
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_strings(value):
    """Every string (keys included) must be encodable as UTF-8: no lone surrogates."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise _Refused("A string holds a lone UTF-16 surrogate (e.g. \\ud800); send valid Unicode text.")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json(raw: bytes):
    """The value of a UTF-8 JSON document, or ``_Refused`` saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Refused(f"The body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8.")
    if _depth(text) > MAX_DEPTH:
        raise _Refused(f"The JSON is nested more than {MAX_DEPTH} levels deep; send one flat JSON object.")
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_no_duplicates,
        )
    except _Refused:
        raise
    except (ValueError, RecursionError) as error:
        raise _Refused(f"The body is not valid JSON: {str(error)[:200]}.")
    _check_strings(value)
    return value


class StrictJSONParser(BaseParser):
    """``application/json`` bodies in UTF-8, refused with a 4xx sentence when they are not plain JSON."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        charset = _charset(media_type)
        if charset is not None and charset not in _UTF8:
            raise UnsupportedMediaType(
                media_type,
                detail=f"The body's charset is '{charset[:40]}'; send JSON as UTF-8 (charset=utf-8 or none).",
            )
        raw = stream.read() if stream is not None else b""
        try:
            return parse_json(raw)
        except _Refused as refused:
            raise ParseError(f"JSON parse error: {refused}")


def _charset(media_type):
    for param in (media_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None
