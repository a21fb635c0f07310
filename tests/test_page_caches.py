"""What the search page reuses between requests (#17): rendered hit cards and whole pages.
Neither may outlive what it shows: an edited article, a rebuilt index and a renamed entity
show on the next page, and a signed-in reader's page (their CSRF token, their forms) never
reaches another reader through a cache."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.main import create_app
from app.web.cards import CARDS, CardCache
from app.web.rendering import templates
from tests.conftest import ADMIN_TOKEN
from tests.test_search_contract import ingest_lines, make_runtime, sample_lines


@pytest.fixture
def app_and_runtime(meili_settings, tmp_path):
    from app.search.indexing import drain_outbox

    runtime = make_runtime(meili_settings)
    ingest_lines(runtime, sample_lines()[:12], tmp_path, "twelve")
    drain_outbox(runtime)
    app = create_app(runtime.settings, runtime)
    yield app, runtime
    runtime.close()


def hits_html(page: str) -> str:
    return re.search(r'<ol class="hits">(.*?)</ol>', page, re.S).group(1)


def first_title(runtime) -> tuple[int, str]:
    from app.models import Article

    with runtime.sessions() as session:
        article = session.scalars(select(Article).order_by(Article.id)).first()
        return article.id, article.title


@pytest.mark.meili
def test_a_card_is_rendered_once_and_shown_the_same(app_and_runtime):
    app, _runtime = app_and_runtime
    with TestClient(app) as client:
        first = client.get("/?per_page=100")
        misses = CARDS.misses
        again = client.get("/?per_page=100&sort=newest")  # another URL, the same hits and order
        assert CARDS.misses == misses and CARDS.hits >= 12  # every card reused
        assert hits_html(again.text) == hits_html(first.text)
        assert hits_html(first.text).count('<li class="hit"') == 12


@pytest.mark.meili
def test_an_edited_article_shows_on_the_next_page(app_and_runtime):
    from app.models import Article, IndexOutbox
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    article_id, title = first_title(runtime)
    with TestClient(app) as client:
        assert title in client.get("/?per_page=100").text
        with runtime.sessions.begin() as session:  # an edit, queued for the index as the app does
            session.execute(update(Article).where(Article.id == article_id).values(title="Retitled"))
            session.add(IndexOutbox(article_id=article_id, op="upsert"))
        drain_outbox(runtime)
        for url in ("/?per_page=100", "/?per_page=100&sort=newest"):  # cached page, cached cards
            page = client.get(url).text
            assert f'<a href="/articles/{article_id}">Retitled</a>' in page
            assert f'<a href="/articles/{article_id}">{title}</a>' not in page


@pytest.mark.meili
def test_a_rebuilt_index_shows_on_the_next_page(app_and_runtime):
    from app.search.indexing import rebuild
    from app.models import Article

    app, runtime = app_and_runtime
    article_id, title = first_title(runtime)
    with TestClient(app) as client:
        assert title in client.get("/?per_page=100").text
        with runtime.sessions.begin() as session:  # changed behind the outbox: only a rebuild sees it
            session.execute(update(Article).where(Article.id == article_id).values(title="Rebuilt"))
        rebuild(runtime)
        page = client.get("/?per_page=100").text
        assert f'<a href="/articles/{article_id}">Rebuilt</a>' in page


@pytest.mark.meili
def test_a_renamed_entity_shows_on_the_next_page(app_and_runtime):
    from app.article.service import ArticleWriter
    from app.models import Article, Entity
    from app.search import entity_cache
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    with TestClient(app) as client:
        old = client.get("/?company=nvidia&per_page=100").text
        assert '<a href="/entities/nvidia"><bdi>Nvidia</bdi></a>' in hits_html(old)
        # A gazetteer change as `chipwatch enrich --all` applies it: the entity rows, then every
        # article re-tagged and queued for the index.
        writer = ArticleWriter(runtime.enricher, runtime.outbox)
        with runtime.sessions.begin() as session:
            session.execute(update(Entity).where(Entity.id == "nvidia").values(name="NVIDIA Corp"))
            for article in session.scalars(select(Article)):
                writer.retag(session, article)
        drain_outbox(runtime)
        entity_cache._caches.clear()  # the names' 30-second TTL has passed
        new = client.get("/?company=nvidia&per_page=100&sort=newest").text
        assert '<a href="/entities/nvidia"><bdi>NVIDIA Corp</bdi></a>' in hits_html(new)
        assert '<bdi>Nvidia</bdi></a>' not in hits_html(new)


@pytest.mark.meili
def test_a_signed_in_page_never_reaches_another_reader(app_and_runtime):
    from app.accounts import service

    app, runtime = app_and_runtime
    with runtime.sessions.begin() as session:
        for name in ("alice", "bob"):
            service.add_user(session, name, "editor", "correct horse battery")
    tokens = {}
    clients = {name: TestClient(app) for name in ("alice", "bob", "anonymous")}
    for name in ("alice", "bob"):
        client = clients[name]
        assert client.post("/account/login", data={"name": name, "password": "correct horse battery"},
                           follow_redirects=False).status_code == 303
        tokens[name] = re.search(r'name="csrf" value="([^"]+)"', client.get("/account").text).group(1)
    url = "/?q=Nvidia"
    for _ in range(2):  # the second round would be served by a cache, if any kept these pages
        for name, client in clients.items():
            page = client.get(url).text
            found = set(re.findall(r'name="csrf" value="([^"]+)"', page))
            if name == "anonymous":
                assert not found and "Save this view" not in page
            else:
                assert found == {tokens[name]} and "Save this view" in page
    assert app.state.page_cache.hits == 1  # the anonymous page only, on its second view
    bearer = clients["anonymous"].get(url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert "Save this view" in bearer.text  # an admin by header: not the cached anonymous page


def test_a_card_is_keyed_by_everything_it_shows():
    cache = CardCache(size=2)
    hit = {"id": 1, "title": "Nvidia H20", "snippet": "the <mark>H20</mark>", "url": None,
           "source": "Wire", "lang": "en", "published_at": "2025-04-16T00:00:00+00:00",
           "date_estimated": False, "story_id": None,
           "entities": [{"id": "nvidia", "type": "company", "name": "Nvidia"}]}
    env = templates.env
    assert "<bdi>Nvidia</bdi>" in cache.card(hit)
    renamed = {**hit, "entities": [{"id": "nvidia", "type": "company", "name": "NVIDIA Corp"}]}
    assert "<bdi>NVIDIA Corp</bdi>" in cache.card(renamed)
    assert "<mark>licence</mark>" in cache.card({**hit, "snippet": "a <mark>licence</mark>"})
    assert cache.card(hit) == env.get_template("_hit.html").render(hit=hit)
    assert len(cache._cards) == 2  # bounded: the least recently used went first


def test_a_written_card_is_the_markup_the_template_wrote():
    """app/web/cards.py write_card writes what templates/_hit.html renders, whatever the hit:
    markup to escape, no source, no tags, an estimated date, more tags than a card shows, a
    right-to-left title, a snippet with and without <mark>."""
    from app.web.cards import write_card

    template = templates.env.get_template("_hit.html")
    tags = [{"id": f"r{i}", "type": "restriction", "name": f"Rule <{i}>"} for i in range(3)] + \
        [{"id": f"c{i}", "type": "company", "name": f"Co & \"{i}\""} for i in range(14)]
    base = {"id": 7, "title": "Nvidia <H20> & \"AMD\"", "snippet": "the <mark>H20</mark> <b>x</b>",
            "url": "https://example.com/?a=1&b=2", "source": "Wire & Co", "lang": "en",
            "published_at": "2025-04-16T09:30:00+00:00", "date_estimated": False,
            "story_id": "s1", "entities": tags[:2]}
    hits = [base, {**base, "source": None, "entities": []}, {**base, "date_estimated": True},
            {**base, "entities": tags}, {**base, "entities": tags[3:]},
            {**base, "title": "إنفيديا تطلق H20", "lang": "ar", "snippet": None},
            {**base, "title": None, "snippet": "plain <text> & more"}]
    for hit in hits:
        assert str(write_card(hit)) == template.render(hit=hit)


def test_a_query_string_is_the_same_when_kept():
    """Filters.query_string keeps what it wrote per filters: each filters, even equal to one
    seen before or made from it by replace(), has its own URL."""
    from app.filters import parse_filters

    filters = parse_filters([("q", "Nvidia H20"), ("company", "nvidia"), ("page", "3")])
    assert filters.query_string() == "q=Nvidia+H20&company=nvidia&page=3"
    assert filters.query_string(paging=False) == "q=Nvidia+H20&company=nvidia"
    again = parse_filters([("q", "Nvidia H20"), ("company", "nvidia"), ("page", "3")])
    assert again.query_string() == filters.query_string()
    moved = filters.replace(q="Huawei", company=("huawei", "smic"))
    assert moved.query_string() == "q=Huawei&company=huawei&company=smic"
    assert filters.query_string() == "q=Nvidia+H20&company=nvidia&page=3"
    assert filters.query_string(page=2) == "q=Nvidia+H20&company=nvidia&page=2"
    # Whose notes a has_note view was resolved for is never in a URL, kept or not.
    noted = parse_filters([("q", "H20"), ("has_note", "1")])
    mine, theirs = noted.replace(note_ids=frozenset({1, 2})), noted.replace(note_ids=frozenset({3}))
    assert mine.query_string() == theirs.query_string() == noted.query_string() == "q=H20&has_note=1"


def test_facet_links_are_the_markup_the_template_wrote():
    """app/web/facet_links.py writes what this loop of templates/_search_main.html wrote."""
    from app.filters import parse_filters
    from app.search.service import FacetValue
    from app.web.facet_links import facet_items

    loop = templates.env.from_string(
        '{% for v in values[:8] + (values[8:] | selectattr("selected") | list) %}\n'
        '        {% set url = "/?" ~ toggle(v.id) %}\n'
        '        <li><a href="{{ url }}" hx-get="{{ url }}" data-key="{{ facet }}:{{ v.id }}" '
        '{% if v.selected %}aria-current="true" class="on"{% endif %}>\n'
        '            <span dir="auto">{{ v.name }}</span> <span class="count">{{ v.count }}</span></a></li>\n'
        '        {% endfor %}')
    filters = parse_filters([("q", 'Nvidia "H20" & <co>'), ("source", "Wire & Co"), ("source", "s11")])
    values = [FacetValue(f"s{i}", f"Source <{i}> & \"co\"", 100 - i, f"s{i}" in filters.source)
              for i in range(12)] + [FacetValue("Wire & Co", "Wire & Co", 0, True)]
    toggle = filters.toggler("source")
    assert str(facet_items("source", values, toggle)) == \
        loop.render(facet="source", values=values, toggle=toggle)
    assert facet_items("source", [], toggle) == loop.render(facet="source", values=[], toggle=toggle)


OLD_MARKS = """{% macro restriction_marks(chart, single_url, zoom_url) %}
<g class="marks">
  {% for m in chart.markers %}
  {% set href = zoom_url(m) if m.grouped else single_url(m) %}
  <a href="{{ href }}" class="mark tone-{{ m.tone }}{% if m.grouped %} mark-group{% endif %}" aria-label="{{ m.label }}{% if m.grouped %}: zoom in{% endif %}" data-mark="{{ m.id }}">
    <line x1="{{ '%.1f'|format(m.x) }}" x2="{{ '%.1f'|format(m.x) }}" y1="{{ chart.top_y - 6 }}" y2="{{ chart.base }}" class="marker"/>
    {% if m.grouped %}
    <circle cx="{{ '%.1f'|format(m.x) }}" cy="{{ chart.top_y - 14 }}" r="10" class="knob"/>
    <text x="{{ '%.1f'|format(m.x) }}" y="{{ chart.top_y - 10 }}" class="knob-count" text-anchor="middle">{{ m.members|length }}</text>
    {% else %}
    <circle cx="{{ '%.1f'|format(m.x) }}" cy="{{ chart.top_y - 14 }}" r="6" class="knob"/>
    {% endif %}
    <rect x="{{ '%.1f'|format(m.x - 7) }}" y="{{ chart.top_y - 26 }}" width="14" height="{{ chart.base - chart.top_y + 26 }}" class="hitbox"/>
    <g class="mark-label" aria-hidden="true">
      <rect x="{{ '%.1f'|format(m.label_x - 150) }}" y="{{ chart.top_y + 2 }}" width="300" height="20" rx="3"/>
      <text x="{{ '%.1f'|format(m.label_x) }}" y="{{ chart.top_y + 16 }}" text-anchor="middle">{{ m.label }}</text>
    </g>
    <title>{{ m.label }}{% if m.grouped %}: {% for g in m.members %}{{ g.date }} {{ g.title }}{% if not loop.last %}; {% endif %}{% endfor %}{% endif %}</title>
  </a>
  {% endfor %}
</g>
{% endmacro %}"""


def test_chart_marks_are_the_markup_the_template_wrote():
    """app/web/charts.py marks_svg writes what the restriction_marks macro wrote, for single
    and grouped markers (the search page, the entity page and /timeline draw them)."""
    from datetime import date

    from app.web.charts import bar_chart

    events = [{"id": f"r{i}", "date": d, "title": t, "issuer": "bis"} for i, (d, t) in enumerate(
        [("2022-10-07", "Advanced computing <rule> & co"), ("2022-10-20", "Follow-up \"rule\""),
         ("2023-10-17", "Update"), ("2025-04-15", "H20 licence requirement")])]
    events.append({"id": "list-action-1", "date": "2024-05-01", "title": "X added to the Entity List",
                   "kind": "list", "url": "/entities/x#lists"})
    chart = bar_chart([{"start": "2022-01-01", "count": 3}, {"start": "2025-06-01", "count": 5}],
                      events, "month", span=(date(2022, 1, 1), date(2025, 12, 31)))
    assert any(m.grouped for m in chart["markers"]) and any(not m.grouped for m in chart["markers"])
    env = templates.env
    macros = env.from_string(
        '{% macro single_url(m) %}{{ m.url or "/?restriction=" ~ m.id ~ "&q=a b" }}{% endmacro %}'
        '{% macro zoom_url(m) %}/?from={{ m.zoom[0] }}&amp;to={{ m.zoom[1] }}{% endmacro %}')
    single_url, zoom_url = macros.module.single_url, macros.module.zoom_url
    old = env.from_string(OLD_MARKS + "{{ restriction_marks(chart, single_url, zoom_url) }}")
    new = env.get_template("_chart_marks.html").module.restriction_marks
    assert str(new(chart, single_url, zoom_url)) == \
        old.render(chart=chart, single_url=single_url, zoom_url=zoom_url)


OLD_FACET_LOOP = """{% for facet, values in page.facets.items() %}{% if values %}{% set toggle = filters.toggler(facet) %}
    <section class="facet">
      <h2>{{ facet_titles[facet] }}</h2>
      <ul>
        {# The first 8 and every selected value; the others once, in the box below. #}
        {{ facet_items(facet, values, toggle) }}
      </ul>
      {% if values|length > 8 %}{% set all_url = "/facets/" ~ facet ~ "?" ~ filters.query_string(paging=False) %}
      {# The rest is fetched when the box opens (most readers never open it); without JavaScript, a link. #}
      <details class="morebox" hx-get="{{ all_url }}" hx-trigger="toggle once" hx-target="find .morelist"
               hx-swap="innerHTML" hx-push-url="false">
        <summary>All {{ values|length }}</summary>
        <div class="morelist"><a href="{{ all_url }}">Show all {{ values|length }}</a></div>
      </details>{% endif %}
    </section>
    {% endif %}{% endfor %}"""


def test_facet_boxes_are_the_markup_the_template_wrote():
    """app/web/facet_links.py facet_boxes writes what the facet loop of
    templates/_search_main.html wrote: empty facets left out, a title to escape, a facet with
    more than 8 values and its "All n" box, selected values past the first 8."""
    from types import SimpleNamespace

    from app.filters import parse_filters
    from app.search.service import FacetValue
    from app.web.facet_links import facet_boxes

    filters = parse_filters([("q", 'H20 & "co"'), ("company", "c10"), ("lang", "ar"), ("page", "2")])
    facets = {
        "company": [FacetValue(f"c{i}", f"Co <{i}>", 50 - i, f"c{i}" in filters.company)
                    for i in range(12)],
        "chip": [],
        "lang": [FacetValue("ar", "العربية", 7, True), FacetValue("en", "English", 3)],
        "source": [FacetValue(f"s{i}", f"Wire & {i}", 9, False) for i in range(9)],
    }
    titles = {"company": "Companies", "chip": "Chips", "lang": "Language & <script>", "source": "Source"}
    old = templates.env.from_string(OLD_FACET_LOOP)
    for shown in (facets, {"chip": []}, {}):
        assert str(facet_boxes(shown, filters, titles)) == old.render(
            page=SimpleNamespace(facets=shown), filters=filters, facet_titles=titles)


def test_a_page_of_cards_is_each_card_in_order():
    """hit_cards (one call per page) writes what a hit_card per hit wrote, kept or not, the
    same hit twice included, and counts what it reused."""
    cache = CardCache(size=3)
    template = templates.env.get_template("_hit.html")
    hits = [{"id": i, "title": f"T <{i}>", "snippet": "a <mark>b</mark>", "source": "W & Co",
             "lang": "en", "published_at": "2025-04-16T00:00:00+00:00", "date_estimated": False,
             "entities": [{"id": "nvidia", "type": "company", "name": f"N{i}"}]} for i in range(4)]
    page = [hits[0], hits[1], hits[0], hits[2]]
    expected = "".join(template.render(hit=hit) for hit in page)
    assert cache.cards(page) == expected and cache.misses == 4 and cache.hits == 0
    assert cache.cards(page[1:]) == expected[len(template.render(hit=hits[0])):]
    assert cache.hits == 3 and cache.misses == 4
    assert cache.cards([hits[3]]) == template.render(hit=hits[3])
    assert len(cache._cards) == 3  # bounded: the least recently used (hits[1]) went first
    assert cache.cards([]) == ""


def _old_bars_svg(chart, by_dates):
    """charts.bars_svg as round 2 wrote it (escape() of each URL)."""
    from markupsafe import Markup, escape

    from app.web.charts import _pct

    top, height = chart["top_y"], chart["base"] - chart["top_y"]
    out = []
    for b in chart["bars"]:
        url = escape("/?" + by_dates(date_from=b.start, date_to=b.end))
        x, w = f"{b.x:.1f}", f"{b.w:.1f}"
        of_all = f" ({_pct(b.share)}% of all" if b.share is not None else ""
        out.append(
            f'\n    <a href="{url}" hx-get="{url}" class="period" aria-label="{b.start} to {b.end}: '
            f'{b.count} articles{of_all + ")" if of_all else ""}">\n      <rect x="{x}" '
            f'y="{b.y:.1f}" width="{w}" height="{b.h:.1f}" class="bar"><title>{b.start} to '
            f"{b.end}: {b.count}{of_all + ' articles)' if of_all else ''}</title></rect>\n"
            f'      <rect x="{x}" y="{top}" width="{w}" height="{height}" class="hitbox"/>\n'
            f"    </a>\n    ")
    return Markup("".join(out))


def test_chart_bars_and_rows_are_the_markup_they_were():
    """bars_svg (dates passed as text, URLs escaped as the app's own query strings) and
    event_rows (rows kept per restriction) write what they wrote before, for filters whose
    URL has every character to escape, counts and shares."""
    from datetime import date

    from markupsafe import escape

    from app.filters import parse_filters
    from app.web.charts import bar_chart, bars_svg, event_rows

    filters = parse_filters([("q", 'H20 & <"x">'), ("source", "a&b=c d"), ("company", "nvidia"),
                             ("from", "2022-01-01"), ("per_page", "15")])
    buckets = [{"start": "2022-01-01", "count": 3}, {"start": "2022-03-01", "count": 5}]
    for totals in (None, {date(2022, m, 1): 10 for m in range(1, 13)}):
        chart = bar_chart(buckets, [], "month", totals, span=(date(2022, 1, 1), date(2022, 12, 31)))
        by_dates = filters.linker("date_from", "date_to")
        assert str(bars_svg(chart, filters.span_linker())) == str(_old_bars_svg(chart, by_dates))
    events = [{"date": "2022-10-07", "id": "r<1>", "title": 'Rule "one" & <two>', "issuer": "bis"},
              {"date": "2023-10-17", "id": "r2", "title": "Update", "issuer": None,
               "url": "/entities/x?a=1&b=<2>"}]
    old = "".join(
        f'<tr><td>{escape(e.get("date", ""))}</td><td><a href="'
        f'{escape(e.get("url") or "/entities/" + str(e.get("id", "")))}"><bdi>'
        f"{escape(e.get('title', ''))}</bdi></a></td><td>{escape(e.get('issuer') or '')}</td></tr>"
        for e in events)
    assert event_rows(events) == old and event_rows(events) == old  # written, then kept
    assert event_rows([{**events[0], "title": "Renamed"}]) != old[: old.index("</tr>") + 5]


OLD_LEGEND_AND_BRUSH = """{% macro legend(chart) %}
{% if chart.legend %}<ul class="legend legend-issuers" aria-label="Restriction colours: who issued them">
  {% for cls, text in chart.legend %}<li><span class="swatch tone-{{ cls }}" aria-hidden="true"></span>{{ text }}</li>{% endfor %}
  {% if chart.markers | selectattr("grouped") | list %}<li><span class="swatch-group" aria-hidden="true">3</span>several restrictions close together (opens the range)</li>{% endif %}
</ul>{% endif %}
{% endmacro %}
{% macro brush_attrs(chart, href) -%}
data-brush data-href="{{ href }}" data-first="{{ chart.first }}" data-last="{{ chart.last }}" data-x0="{{ chart.pad_left }}" data-x1="{{ chart.plot_right }}" data-width="{{ chart.width }}"
{%- endmacro %}"""


def test_chart_legend_and_brush_are_the_markup_the_macros_wrote():
    """charts.legend_html and charts.brush_attrs write what the macros of
    templates/_chart_marks.html wrote (the search page calls them directly, /timeline through
    the macros): no legend, a legend with and without grouped markers, a line chart."""
    from datetime import date

    from app.web.charts import bar_chart, brush_attrs, legend_html, line_chart

    old = templates.env.from_string(OLD_LEGEND_AND_BRUSH).module
    macros = templates.env.get_template("_chart_marks.html").module
    crowded = [{"id": f"r{i}", "date": d, "title": "Rule", "issuer": issuer} for i, (d, issuer) in
               enumerate([("2022-10-07", "bis"), ("2022-10-20", "bis"), ("2024-05-01", "mofcom")])]
    span = (date(2022, 1, 1), date(2025, 12, 31))
    buckets = [{"start": "2022-01-01", "count": 3}]
    charts = [bar_chart(buckets, [], "month", span=span),
              bar_chart(buckets, crowded, "month", span=span),
              bar_chart(buckets, crowded[2:], "month", span=span),
              line_chart([{"id": "nvidia", "name": "Nvidia", "buckets": {date(2022, 1, 1): 2}}],
                         crowded, "month", span=span)]
    assert any(m.grouped for m in charts[1]["markers"]) and not charts[2]["markers"][0].grouped
    href = '/?q=a "b" & <c>&from=2022-01-01'
    for chart in charts:
        assert legend_html(chart) == old.legend(chart) == macros.legend(chart)
        assert brush_attrs(chart, href) == old.brush_attrs(chart, href) == macros.brush_attrs(chart, href)


@pytest.mark.meili
def test_an_uncached_page_makes_no_session_for_its_reads(app_and_runtime):
    """The search version and the articles not kept in memory are read on pooled connections
    (app/db.py first_row, read_connection): a session is made only when something needs one."""
    app, runtime = app_and_runtime
    made = []

    class Counted(runtime.sessions.class_):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    with TestClient(app) as client:
        client.get("/?per_page=1").raise_for_status()  # names and the chart's events loaded
        kept_articles = len(runtime.search.article_cache._views)
        runtime.sessions.class_ = Counted
        page = client.get("/?per_page=100&from=2000-01-01")  # 11 articles read from the database
    assert page.status_code == 200 and hits_html(page.text).count('<li class="hit"') == 12
    assert kept_articles == 1 and len(runtime.search.article_cache._views) == 12
    assert made == []
