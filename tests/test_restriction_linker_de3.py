"""The restriction linker on German as outlets write it, third round (#20, restrictde3): relative
dates ("Mitte des Monats", "seit vergangenem Herbst", "Mitte Januar", "wenige
Tage zuvor"), permissions ("wieder zu genehmigen", "stellte Ausfuhren ... in Aussicht", "nahm ...
zurück"), an antitrust case said as such, licence words ("Erlaubnis"), long split verbs, singular
trade compounds, seats as actors ("die Regierung in Kuala Lumpur") and cues of what an action did.
Each sentence is our own, written after reading how German, Swiss and Austrian outlets report
these actions; each positive one linked nothing (or not this) before the mechanism it tests."""

import pytest

from tests.restriction_probe import links

H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
REVENUE_SHARE = "2025-08-revenue-share-deal"
DISCOURAGED = "2025-08-china-h20-discouragement"
CUSTOMS = "2026-01-china-customs-h200-block"
H200 = "2025-12-h200-china-approval"
PROBE = "2024-12-samr-nvidia-antitrust-probe"
FINDING = "2025-09-samr-nvidia-antitrust-finding"
DIFFUSION = "2025-01-ai-diffusion-rule"
RESCISSION = "2025-05-ai-diffusion-rule-rescission"
MALAYSIA = "2025-07-malaysia-ai-chip-permit"


def _linked(enricher, when, body, expected, role=None):
    found = links(enricher, body, when)
    assert expected in found, (body, {k: v.reason for k, v in found.items()})
    if role:
        assert found[expected].role == role, found[expected]
    return found


@pytest.mark.parametrize("when,body,expected", [
    # the middle of the article's month; the chip named in the sentence before
    ("2025-08-28", "Offiziell verboten ist der H20 in China nicht. Mitte des Monats hatten Behörden "
                   "grosse Plattformen aufgefordert, Käufe des Chips zu begründen.", DISCOURAGED),
    # a season in the dative after "seit": last autumn, seen from March
    ("2024-03-10", "Seit vergangenem Herbst braucht ASML für seine modernsten Immersionsanlagen eine "
                   "Ausfuhrgenehmigung aus Den Haag.", "2023-09-netherlands-duv-controls"),
    # "Mitte" before a month dates it, as "Anfang" and "Ende" do (needed for "Mai", also a name)
    ("2025-06-20", "Mitte Mai hatte Washington die Chipregeln der Vorgängerregierung gekippt.",
     RESCISSION),
    # an early summer is a summer
    ("2025-09-25", "Bereits im Frühsommer hatte Malaysia eine Genehmigungspflicht für US-KI-Chips "
                   "eingeführt.", MALAYSIA),
    # days before the article's news
    ("2025-09-18", "Wenige Tage zuvor hatte die Marktaufsicht Nvidia einen Kartellverstoss "
                   "vorgeworfen.", FINDING),
])
def test_german_relative_dates(enricher, when, body, expected):
    _linked(enricher, when, body, expected, "context" if "zuvor" in body else None)


def test_the_middle_of_another_month_is_not_this_one(enricher):
    # the same sentence two months later: the middle of October holds no such guidance
    body = ("Offiziell verboten ist der H20 in China nicht. Mitte des Monats hatten Behörden grosse "
            "Plattformen aufgefordert, Käufe des Chips zu begründen.")
    assert links(enricher, body, "2025-10-28") == {}


@pytest.mark.parametrize("when,body,expected", [
    ("2025-07-31", "Zwei Wochen zuvor hatte Washington signalisiert, die Lieferungen des H20 nach "
                   "China wieder zu genehmigen.", RESUMPTION),
    ("2026-01-05", "Im Dezember stellte Trump Ausfuhren des H200 nach China in Aussicht.", H200),
    ("2025-10-01", "Im Sommer nahm Washington die Lizenzpflicht für den H20 zurück.", RESUMPTION),
    ("2025-07-20", "Nvidia hat die Erlaubnis erhalten, den H20 wieder nach China zu liefern.",
     RESUMPTION),
    # clearing the way, a month back said with a hedge
    ("2026-02-20", "Vor gut einem Monat machte das US-Handelsministerium den Weg für Verkäufe des "
                   "H200 nach China frei.", "2026-01-h200-case-by-case-rule"),
])
def test_german_permissions(enricher, when, body, expected):
    _linked(enricher, when, body, expected)


def test_a_requirement_taken_back_is_named_too(enricher):
    # the requirement the sentence names ("die Lizenzpflicht für den H20") is referred to
    found = _linked(enricher, "2025-10-01", "Im Sommer nahm Washington die Lizenzpflicht für den "
                    "H20 zurück.", H20, "context")
    assert found[RESUMPTION].role == "context"


def test_a_prospect_of_duties_is_no_permission(enricher):
    # "in Aussicht stellen" with duties as the object: a threat, not an export allowed
    assert links(enricher, "Trump stellte im August Zölle von 100 Prozent auf Chips in Aussicht.",
                 "2025-09-05") == {}


def test_an_antitrust_case_said_as_such(enricher):
    body = ("Chinas Marktaufsicht wirft Nvidia einen Verstoss gegen das Antimonopolgesetz vor. Die "
            "Behörde hatte ihre Untersuchung im Dezember eingeleitet.")
    found = _linked(enricher, "2025-09-15", body, PROBE, "context")
    assert found[FINDING].role == "reported"
    # December 2024 also holds China's gallium ban: an investigation is not that
    assert "2024-12-china-gallium-germanium-antimony-ban" not in found


def test_an_investigation_is_no_licence_rule(enricher):
    # Lutnick's April investigation (section 232) shares its month with the H20 licence rule
    body = ("Die Abgabe stützt sich auf eine Untersuchung, die Handelsminister Howard Lutnick im "
            "vergangenen April eingeleitet hatte.")
    assert links(enricher, body, "2026-01-15") == {}


def test_erlaubnis_is_a_licence_word(enricher):
    _linked(enricher, "2020-08-18", "Seit Mai 2019 brauchen US-Firmen für Geschäfte mit Huawei eine "
            "Erlaubnis.", "2019-05-huawei-entity-list", "context")


@pytest.mark.parametrize("when,body,expected", [
    # a split verb around a long object and its date
    ("2023-03-01", "Washington schränkte den Export von Hochleistungschips nach China im Oktober "
                   "drastisch ein.", "2022-10-advanced-computing-rule"),
    # a part of a year alone: its best-known action (the diffusion rule, not the foundry rule)
    ("2025-05-20", "Anfang des Jahres hatte die Biden-Regierung Obergrenzen für KI-Chips in rund 120 "
                   "Ländern eingeführt.", DIFFUSION),
    # a trade compound in the singular
    ("2025-07-01", "Die Exportbeschränkung für den H20 gilt seit dem Frühjahr.", H20),
    # a country in the genitive ("Japans Regierung", "Malaysias Handelsministerium") acts
    ("2023-09-01", "Japans Regierung hatte im Juli die Ausfuhr von Anlagen zur Chipfertigung "
                   "genehmigungspflichtig gemacht.", "2023-07-japan-sme-controls"),
    ("2025-10-01", "Malaysias Handelsministerium führte im Juli eine Genehmigungspflicht für KI-Chips "
                   "aus den USA ein.", MALAYSIA),
    # the government "in" its seat acts
    ("2025-10-01", "Die Regierung in Kuala Lumpur führte im Juli eine Genehmigungspflicht für "
                   "KI-Chips aus den USA ein.", MALAYSIA),
])
def test_german_words_and_actors(enricher, when, body, expected):
    _linked(enricher, when, body, expected, "context")


@pytest.mark.parametrize("when,body", [
    # the same compound about wine
    ("2025-07-01", "Die Exportbeschränkung für Wein nach Kanada gilt seit dem Frühjahr."),
    # companies in a capital do not act for its government
    ("2025-10-01", "Firmen in Kuala Lumpur begrüßten im Juli die neuen Regeln für Chips aus den USA."),
    # a company clearing the way for its own plans
    ("2026-02-20", "Vor gut einem Monat machte Nvidia den Weg für neue Rechenzentren in Texas frei."),
    # customs seizing counterfeits is no chip action
    ("2025-06-01", "Die Zollbehörden in Hamburg stoppten im Mai gefälschte Sonnenbrillen aus China."),
])
def test_german_sentences_without_an_action_link_nothing(enricher, when, body):
    assert links(enricher, body, when) == {}


@pytest.mark.parametrize("when,body,expected,role", [
    ("2026-03-01", "Im Januar hatten Chinas Zollbehörden Nvidias H200 zunächst abgewiesen.", CUSTOMS,
     "context"),
    ("2026-03-01", "Im Januar wurden Nvidias H200 an der Grenze zu China zurückgehalten.", CUSTOMS,
     "context"),
    ("2025-12-01", "Seit Ende September steht Nexperia unter staatlicher Aufsicht der Niederlande.",
     "2025-09-nexperia-goods-availability-order", "context"),
    ("2025-11-06", "Neue Rechenzentren mit staatlichen Mitteln dürfen in China nur noch inländische "
                   "KI-Chips verwenden.", "2025-11-china-state-data-centre-domestic-chip-rule",
     "reported"),
    ("2025-09-09", "Im Sommer hatte Washington zugesagt, die Ausfuhr des H20 wieder zu erlauben; im "
                   "Gegenzug fliesst ein Teil der Erlöse an den Staat.", REVENUE_SHARE, "context"),
])
def test_german_cues_of_what_an_action_did(enricher, when, body, expected, role):
    _linked(enricher, when, body, expected, role)


def test_countries_sorted_into_groups_are_the_diffusion_rule(enricher):
    body = ("Washington hat die Exportlimite zurückgenommen, die Mitte Januar die Schweiz in die "
            "zweite Ländergruppe eingestuft hatte.")
    found = _linked(enricher, "2025-05-20", body, DIFFUSION, "context")
    assert found[RESCISSION].role == "reported"


@pytest.mark.parametrize("when,body,expected", [
    # "vergangenen Herbst" said in November is last year's autumn, not the one ending now
    ("2024-11-01", "Die im vergangenen Herbst verschärften Regeln trafen auch Nvidias A800.",
     "2023-10-advanced-computing-update"),
    ("2024-10-20", "Seit dem vergangenen Herbst braucht ASML für die modernsten DUV-Anlagen eine "
                   "Lizenz aus Den Haag.", "2023-09-netherlands-duv-controls"),
    # a year after "Jahr" ("im Jahr 2019", "aus dem Jahr 2022") dates the sentence
    ("2025-03-01", "Im Jahr 2019 hatte das US-Handelsministerium Huawei auf die schwarze Liste "
                   "gesetzt.", "2019-05-huawei-entity-list"),
    ("2025-03-01", "Die Exportregeln aus dem Jahr 2022 verlangen Lizenzen für moderne KI-Chips wie "
                   "den A100.", "2022-10-advanced-computing-rule"),
])
def test_german_past_seasons_and_written_years(enricher, when, body, expected):
    found = _linked(enricher, when, body, expected, "context")
    assert len(found) == 1, found  # (the 2024 DUV expansion is not last autumn's rule)


def test_a_past_autumn_said_after_it_ended_is_this_years(enricher):
    # in December the autumn just ended is "vergangenen Herbst": no A800 rule then
    assert links(enricher, "Die im vergangenen Herbst verschärften Regeln trafen auch Nvidias "
                 "A800.", "2024-12-15") == {}


@pytest.mark.parametrize("when,body,expected", [
    # "ab dem Frühjahr": from the spring on
    ("2025-08-27", "Aus diesem Grund durfte ab dem Frühjahr der für China entwickelte KI-Chip H20 "
                   "nicht mehr dorthin verkauft werden.", H20),
    # import approvals granted, said as a noun
    ("2026-02-05", "Ende Januar hatte Peking erstmals Einfuhrgenehmigungen für den H200 erteilt.",
     "2026-01-china-h200-import-approvals"),
    # a bill by its German name
    ("2025-11-10", "Der US-Senat will mit dem GAIN-Gesetz amerikanische Kunden bei KI-Chips "
                   "bevorzugen.", "2025-10-gain-ai-act"),
])
def test_german_spring_on_approvals_and_bills(enricher, when, body, expected):
    _linked(enricher, when, body, expected)


def test_a_share_of_the_proceeds_is_the_revenue_deal(enricher):
    body = ("Die Trump-Regierung hatte erst im August den Widerstand gegen den Verkauf des H20 "
            "aufgegeben, gegen eine Beteiligung an den Erlösen.")
    _linked(enricher, "2025-09-17", body, REVENUE_SHARE, "context")


@pytest.mark.parametrize("when,body,expected", [
    # a hedged count of months back ("vor knapp fünf Monaten")
    ("2025-10-10", "Vor knapp fünf Monaten hatte Washington die Chipregeln der Vorgängerregierung "
                   "gekippt.", RESCISSION),
    # rare earths in the genitive ("die Ausfuhr Seltener Erden")
    ("2025-12-20", "Vor rund zwei Monaten hatte Chinas Handelsministerium die Ausfuhr Seltener Erden "
                   "an Genehmigungen geknüpft.", "2025-10-china-rare-earth-controls"),
])
def test_german_hedged_counts_and_genitives(enricher, when, body, expected):
    _linked(enricher, when, body, expected, "context")


def test_a_hedged_count_without_an_action_links_nothing(enricher):
    assert links(enricher, "Vor knapp fünf Monaten hatte Nvidia seine Quartalszahlen vorgelegt.",
                 "2025-10-10") == {}


def test_a_month_in_the_opening_nachdem_clause_leaves_the_main_clause_its_news(enricher):
    # "im August" dates the "Nachdem" clause up to its comma; the main clause is the week's news
    body = ("Nachdem Peking im August vom Kauf des H20 abgeraten hatte, verbietet die "
            "Internetaufsicht nun auch Bestellungen des RTX Pro 6000D.")
    found = _linked(enricher, "2025-09-18", body, "2025-09-cac-rtx-pro-6000d-ban", "reported")
    assert found[DISCOURAGED].role == "context"
    # months later the main clause is no news: only the dated clause's action is linked
    assert set(links(enricher, body, "2025-12-01")) == {DISCOURAGED}


def test_a_draft_rule_by_its_german_name(enricher):
    # "weltweit" is also a cue of the Ascend guidance: the draft's own words say which
    body = ("Das US-Handelsministerium hat den Entwurf einer Regel vorgelegt, nach der KI-Chips "
            "weltweit nur noch mit Lizenz exportiert werden dürfen.")
    found = _linked(enricher, "2026-03-10", body, "2026-03-draft-global-ai-chip-export-rule",
                    "reported")
    assert "2025-05-huawei-ascend-guidance" not in found


def test_malaysia_described_by_transshipment(enricher):
    # no actor named ("Händler in Malaysia" are traders): the permit is said by what it covers
    body = ("Seit Mitte Juli brauchen Händler in Malaysia für Umschlag und Ausfuhr von US-KI-Chips "
            "eine Handelsgenehmigung.")
    _linked(enricher, "2025-09-01", body, MALAYSIA, "context")


def test_seit_jahresbeginn_is_the_start_of_the_articles_year(enricher):
    _linked(enricher, "2024-06-01", "Seit Jahresbeginn darf ASML einige DUV-Anlagen nicht mehr nach "
            "China ausliefern.", "2024-01-asml-licence-revocation", "context")
    # the same words in market news date no action
    assert links(enricher, "Seit Jahresbeginn hat die Nvidia-Aktie kräftig zugelegt.",
                 "2024-06-01") == {}
