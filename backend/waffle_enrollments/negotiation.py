"""Content negotiation that survives any ``Accept`` header.

DRF's parser of the header encodes it as UTF-8 and decodes its parameter names as ASCII, so a byte
above 0x7F (a WSGI server hands such bytes over as Latin-1 characters) raises ``UnicodeDecodeError``,
a 500. Such a header cannot name a media type this API speaks: it is read as ``*/*``, and the
answer is JSON like every other.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def get_accept_list(self, request):
        header = request.META.get("HTTP_ACCEPT", "*/*")
        if not header.isascii():
            return ["*/*"]
        return super().get_accept_list(request)
