"""French, Spanish, Dutch and Japanese phrasing (#20, restrict12), with sentences of our own:
verbs and nouns the shared lists missed (app/enrich/outlet_phrasing.py, context.json), a month
followed by "last year" after another month's year ("octubre de 2022 y de octubre del año
pasado"), and cues of the H20 discouragement as French and Spanish outlets write them."""

import pytest

from tests.restriction_probe import links

H20_APRIL = "2025-04-h20-licence-requirement"
OCT22 = "2022-10-advanced-computing-rule"
OCT23 = "2023-10-advanced-computing-update"
DISCOURAGE = "2025-08-china-h20-discouragement"
ASCEND = "2025-05-huawei-ascend-guidance"
RESUMED = "2025-07-h20-sales-resumption"


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # stopping sales, of either kind: the month and the chip say which action
        (
            "2025-09-10",
            "Les ventes de H20 avaient été suspendues en avril par Washington.",
            H20_APRIL,
        ),
        ("2025-09-10", "Washington suspendió en abril las ventas del H20 a China.", H20_APRIL),
        (
            "2025-09-10",
            "De verkoop van de H20 werd in april door Washington opgeschort.",
            H20_APRIL,
        ),
        # past tenses and verbs the shared lists missed
        (
            "2024-06-10",
            "Het Amerikaanse ministerie van Handel verbood vorig jaar oktober ook de "
            "export van de A800 en H800.",
            OCT23,
        ),
        ("2025-09-10", "トランプ政権は4月にH20の対中輸出を事実上禁じた。", H20_APRIL),
        # the discouragement, in French and Spanish words
        (
            "2025-10-10",
            "Pékin avait dissuadé en août ses entreprises d'acheter des H20.",
            DISCOURAGE,
        ),
        ("2025-10-10", "En agosto, Pekín pidió a sus empresas que evitaran el H20.", DISCOURAGE),
        # seasons with their article, and what a company can no longer do
        (
            "2025-09-20",
            "Depuis le printemps, Nvidia ne peut plus livrer ses H20 en Chine sans licence.",
            H20_APRIL,
        ),
        (
            "2025-09-20",
            "Desde la pasada primavera, Nvidia necesita una licencia para vender el H20.",
            H20_APRIL,
        ),
        # lifting, in French
        (
            "2025-08-20",
            "Le mois dernier, Washington a levé l'interdiction de vendre la H20 en Chine.",
            RESUMED,
        ),
        # a warning, dated by "del mes pasado"
        (
            "2025-06-10",
            "Tampoco ayuda la advertencia del Departamento de Comercio del mes pasado, "
            "según la cual usar los Ascend en cualquier lugar puede vulnerar la ley.",
            ASCEND,
        ),
    ],
)
def test_outlet_phrasing_links(enricher, when, body, rid):
    assert rid in links(enricher, body, when)


@pytest.mark.parametrize(
    "when, body",
    [
        # a suspension with nothing to say which action (no chip, no date, no actor)
        ("2025-09-10", "Le chantier de l'usine a été suspendu pour des raisons techniques."),
        ("2025-09-10", "La empresa suspendió la cotización de sus acciones durante una hora."),
        # a company warning its investors is no government action
        ("2025-06-10", "Nvidia lanzó una advertencia sobre sus ventas del mes pasado."),
        # a season and "can no longer" with nothing of a government action
        ("2025-09-20", "Depuis le printemps, le groupe ne peut plus recruter d'ingénieurs."),
        ("2025-09-20", "La start-up a levé 20 millions d'euros au printemps."),
        # a company's own halt of production, not dated to any action of a government
        ("2025-09-10", "東京エレクトロンは工場の出荷停止を発表した。"),
    ],
)
def test_outlet_phrasing_alone_links_nothing(enricher, when, body):
    assert links(enricher, body, when) == {}


def test_last_year_after_the_month_beats_an_earlier_year(enricher):
    found = links(
        enricher,
        "La medida se suma a los paquetes de octubre de 2022 y de octubre del año pasado.",
        "2024-12-03",
        "EEUU lanza una tercera ronda de controles contra los chips chinos",
    )
    assert {OCT22, OCT23} <= set(found)


def test_a_year_after_the_month_still_dates_it(enricher):
    # "octubre de 2022" keeps its own year though "el año pasado" follows within the window
    found = links(
        enricher,
        "Washington endureció en octubre de 2022, y el año pasado otra vez, sus normas.",
        "2024-06-10",
    )
    assert "October 2022" in found[OCT22].reason


def test_a_name_before_a_relative_pronoun_acts_in_its_clause(enricher):
    # the Netherlands announce; Washington, named before "qui", restricted: its October 2022 rule
    body = (
        "Les Pays-Bas avaient annoncé ces mesures en mars, sous la pression de Washington, qui "
        "avait lui-même restreint ses exportations de technologies de puces à l'automne 2022."
    )
    assert OCT22 in links(enricher, body, "2023-09-01")


def test_a_relative_pronoun_with_no_action_after_it_changes_nothing(enricher):
    # "Washington, qui s'en félicite" opens no action word: the Netherlands alone restricted in
    # March 2023, not the United States (whose March 2023 action listed Inspur and Loongson)
    body = (
        "Les Pays-Bas ont restreint en mars 2023 leurs exportations de machines, sous la "
        "pression de Washington, qui s'en félicite."
    )
    assert "2023-03-inspur-loongson-entity-list" not in links(enricher, body, "2023-09-01")


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # Dutch split "ingrijpen bij"
        (
            "2025-10-20",
            "Vorige maand greep het kabinet in bij Nexperia.",
            "2025-09-nexperia-goods-availability-order",
        ),
        # the antitrust law, in Japanese, and the investigation in Spanish and Dutch
        (
            "2025-10-20",
            "中国は先月、エヌビディアが独占禁止法に違反したとの調査結果を公表した。",
            "2025-09-samr-nvidia-antitrust-finding",
        ),
        (
            "2025-01-20",
            "Pekín abrió el mes pasado una investigación antimonopolio contra Nvidia.",
            "2024-12-samr-nvidia-antitrust-probe",
        ),
    ],
)
def test_described_actions(enricher, when, body, rid):
    assert rid in links(enricher, body, when)


def test_a_split_verb_needs_in_bij(enricher):
    # "greep ... in" without "bij" (a hand reaching in) is no intervention
    assert (
        links(enricher, "Vorige maand greep de monteur in de kast naar een kabel.", "2025-10-20")
        == {}
    )


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # an authority telling companies to stop, in Spanish, Dutch and Japanese
        (
            "2025-10-20",
            "Pekín pidió en septiembre a sus empresas que dejaran de comprar la RTX Pro 6000D.",
            "2025-09-cac-rtx-pro-6000d-ban",
        ),
        (
            "2025-10-20",
            "Peking vroeg in september techbedrijven om te stoppen met het testen van de "
            "RTX Pro 6000D.",
            "2025-09-cac-rtx-pro-6000d-ban",
        ),
        (
            "2025-10-20",
            "中国当局は9月、国内企業にRTX Pro 6000Dの購入を停止するよう求めた。",
            "2025-09-cac-rtx-pro-6000d-ban",
        ),
        # a French figure for a stop, dated by its month
        (
            "2025-06-02",
            "Privés de H20 depuis le coup d'arrêt d'avril, les opérateurs chinois testent Huawei.",
            H20_APRIL,
        ),
    ],
)
def test_telling_and_figures(enricher, when, body, rid):
    assert rid in links(enricher, body, when)


def test_telling_verbs():
    from app.enrich.instructions import telling_verb
    from app.enrich.restrictions import _fold

    assert (
        telling_verb(_fold("Pekín pidió a sus empresas que dejaran de comprar el H20")) == "pidio"
    )
    assert (
        telling_verb(_fold("Het kabinet verzocht ASML om af te zien van leveringen")) == "verzocht"
    )
    assert telling_verb(_fold("当局は購入を控えるよう指示した")) == "指示"
    # asking for something else, and a request with no stop in it
    assert telling_verb(_fold("Nvidia pidió a sus clientes paciencia")) is None
    assert telling_verb(_fold("De minister vroeg de Kamer om steun")) is None
    assert telling_verb(_fold("政府は投資を拡大するよう求めた")) is None


@pytest.mark.parametrize(
    "when, title, body, rid",
    [
        (
            "2025-01-16",
            "Washington impose de nouvelles obligations aux fondeurs",
            "Les fabricants de puces devront vérifier plus strictement leurs clients.",
            "2025-01-foundry-due-diligence-rule",
        ),
        (
            "2025-11-06",
            "Pekín exige chips nacionales en los centros de datos públicos",
            "Los nuevos centros de datos financiados con dinero público deberán usar chips chinos.",
            "2025-11-china-state-data-centre-domestic-chip-rule",
        ),
    ],
)
def test_cues_as_outlets_write_them(enricher, when, title, body, rid):
    assert rid in links(enricher, body, when, title)


def test_a_cue_alone_out_of_its_days_links_nothing(enricher):
    # foundries spoken of a year later, with no action word or date: no reference to the rule
    body = "Las fundiciones asiáticas ganaron cuota de mercado."
    assert links(enricher, body, "2026-03-10") == {}


@pytest.mark.parametrize(
    "when, body, rid",
    [
        (
            "2025-12-10",
            "Washington a gelé pour un an les restrictions qui visaient les filiales détenues à "
            "50 % par des entreprises de la liste noire.",
            "2025-09-bis-affiliates-rule",
        ),
        (
            "2025-01-15",
            "Las restricciones impuestas por Washington a 140 empresas chinas siguen vigentes.",
            "2024-12-hbm-sme-rule",
        ),
        (
            "2025-01-15",
            "De beperkingen die Washington aan 140 Chinese bedrijven oplegde, blijven gelden.",
            "2024-12-hbm-sme-rule",
        ),
    ],
)
def test_an_action_referred_to_by_what_only_it_did(enricher, when, body, rid):
    # undated, named by its own cue with who took it, as a definite noun and what it did
    assert rid in links(enricher, body, when)


def test_an_indefinite_action_noun_is_not_referred_to(enricher):
    # "des restrictions" (some restrictions), undated: not the December rule's 140 listings
    body = "Washington imposait des restrictions à 140 entreprises chinoises."
    assert links(enricher, body, "2025-01-15") == {}


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # a regulator granting import approvals
        (
            "2026-02-05",
            "Pekín concedió a finales de enero las primeras autorizaciones de importación de H200.",
            "2026-01-china-h200-import-approvals",
        ),
        # Dutch "raadt ... af": advising against
        (
            "2025-08-20",
            "De Chinese overheid raadt bedrijven af om H20-chips te gebruiken voor overheidswerk.",
            "2025-08-china-h20-discouragement",
        ),
        # French "approuvé", the Gulf approvals
        (
            "2025-11-25",
            "Washington a approuvé l'exportation de puces avancées vers G42 et Humain.",
            "2025-11-g42-humain-export-approvals",
        ),
        # a bill and a draft rule by what they would do
        (
            "2025-10-15",
            "El Senado aprobó la ley GAIN AI, que obligaría a priorizar a los clientes "
            "estadounidenses.",
            "2025-10-gain-ai-act",
        ),
        (
            "2026-03-10",
            "Washington prépare une règle qui exigerait une licence mondiale pour les puces d'IA.",
            "2026-03-draft-global-ai-chip-export-rule",
        ),
    ],
)
def test_described_approvals_bills_and_drafts(enricher, when, body, rid):
    assert rid in links(enricher, body, when)


def test_blocked_imports_are_not_the_import_approvals(enricher):
    # imports of the H200 spoken of as blocked: the customs block, not the approvals
    for body in (
        "Le mois dernier, les douanes chinoises ont bloqué les importations de H200.",
        "El mes pasado, la aduana china bloqueó las importaciones de H200.",
    ):
        assert "2026-01-china-h200-import-approvals" not in links(enricher, body, "2026-02-10")


def test_raadt_needs_af(enricher):
    # "raadt" (guesses) with no "af": no advice against anything
    assert (
        links(enricher, "De analist raadt wat de H20 in augustus zal opbrengen.", "2025-08-20")
        == {}
    )


@pytest.mark.parametrize(
    "when, body",
    [
        # a summer resumption, said by its own words (not the August deal of the same summer)
        ("2025-12-10", "米政府は今夏、H20の対中販売の再開を認めた。"),
        ("2025-12-10", "El Gobierno permitió este verano la reanudación de las ventas del H20."),
    ],
)
def test_the_resumption_by_its_own_words(enricher, when, body):
    found = links(enricher, body, when)
    assert RESUMED in found and "2025-08-revenue-share-deal" not in found
