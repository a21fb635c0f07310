"""The pooled client chipwatch searches Meilisearch with: a request goes out in one write."""

import pytest

from app.search.meili import MeiliSearch, _OneWriteHTTPConnection

pytestmark = pytest.mark.meili


def test_a_request_goes_out_in_one_write(meili_settings, monkeypatch):
    writes: list[bytes] = []
    real_send = _OneWriteHTTPConnection.__mro__[2].send  # urllib3's own

    def recorded(self, data):
        writes.append(bytes(data))
        return real_send(self, data)

    monkeypatch.setattr(_OneWriteHTTPConnection.__mro__[2], "send", recorded)
    meili = MeiliSearch(meili_settings)
    meili.ensure_index()  # (through the official client, which writes as it likes)
    writes.clear()
    try:
        answer = meili.raw_search({"q": "", "hitsPerPage": 1, "page": 1})
        assert answer["totalHits"] == 0
        assert len(writes) == 1 and writes[0].startswith(b"POST /indexes/")
        assert writes[0].endswith(b'{"q":"","hitsPerPage":1,"page":1}')
        assert b"\r\n\r\n" in writes[0]
        writes.clear()
        assert meili.healthy()  # a GET: no body, its head alone, still one write
        assert len(writes) == 1 and writes[0].startswith(b"GET /health")
    finally:
        meili.close()
