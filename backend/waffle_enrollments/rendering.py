"""JSON written ahead of time: the parts of GET flags/ that do not depend on the caller are rendered
once per version of waffle's flag list, and a request only joins bytes.

Every piece is written by ``json.dumps`` with exactly the options of this app's renderer (DRF's
``JSONRenderer``: compact separators, ``ensure_ascii`` from ``UNICODE_JSON``, DRF's encoder,
U+2028/U+2029 escaped), so a response assembled from pieces is byte for byte what DRF would have
written for the same data (``tests/test_flags_api.py`` checks this).
"""

import json
import secrets

from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer


class PreRendered:
    """A response body already rendered as JSON by ``dumps``/``template`` below."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content

    def __repr__(self):
        return f"<PreRendered {len(self.content)} bytes>"


class JSONRenderer(DRFJSONRenderer):
    """DRF's JSONRenderer (same media type, format and headers) that passes pre-rendered bodies through.

    A client that asks for indentation (``Accept: application/json; indent=4``) gets the body parsed
    and rendered again, as DRF would.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, PreRendered):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                return data.content
            data = json.loads(data.content)
        return super().render(data, accepted_media_type, renderer_context)


_SEPARATORS = SHORT_SEPARATORS if JSONRenderer.compact else LONG_SEPARATORS
ITEM_SEPARATOR = _SEPARATORS[0].encode()  # between the items of a list
_OPTIONS = dict(
    cls=JSONRenderer.encoder_class,
    ensure_ascii=JSONRenderer.ensure_ascii,
    allow_nan=not JSONRenderer.strict,
    separators=_SEPARATORS,
)


def dumps(value) -> bytes:
    """``value`` as JSON bytes, exactly as ``JSONRenderer`` writes it without indentation."""
    text = json.dumps(value, **_OPTIONS)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


# Stand-ins for the parts filled in later: strings no real value contains (a NUL and a random nonce).
_NONCE = secrets.token_hex(8)


class Hole:
    """Put ``Hole(name)`` where a value will be filled in per request; ``template`` cuts the JSON there."""

    __slots__ = ("marker", "_rendered")

    def __init__(self, name):
        self.marker = f"\x00{_NONCE}:{name}\x00"
        self._rendered = dumps(self.marker)


def template(value, holes):
    """Render ``value`` (in which the markers of ``holes``, in order, stand for values) and return the
    ``len(holes) + 1`` pieces of bytes around them."""
    rest = dumps(value)
    pieces = []
    for hole in holes:
        before, found, rest = rest.partition(hole._rendered)
        if not found:  # pragma: no cover - a programming error
            raise ValueError("a hole is missing from the rendered value, or out of order")
        pieces.append(before)
    pieces.append(rest)
    return pieces
