"""A selected facet value that matches nothing still shows in its facet box (so it can be
removed), in the URL's order: not a set's, which follows each process's hash seed (two web
processes wrote the same page two ways)."""

import re

import pytest


@pytest.mark.parametrize("companies", [["nvidia", "huawei"], ["huawei", "nvidia"]])
def test_unmatched_selected_values_keep_the_urls_order(client, sample, companies):
    query = "&".join(f"company={c}" for c in companies)
    page = client.get(f"/?q=zzqxqzz&{query}").text
    boxed = re.findall(r'data-key="company:([a-z0-9-]+)" aria-current="true"', page)
    assert boxed == companies
