"""Traditional Han characters fold to simplified ones (app/text.py), from OpenCC's tables: a
Taiwan or Hong Kong outlet's 美國商務部 and 許可證 are the mainland's 美国商务部 and 许可证 to
the tagger, the restriction linker and the search (index and queries alike)."""

import runpy
from datetime import UTC, datetime
from pathlib import Path

from app.enrich import default_enricher
from app.text import index_tokens, normalize, normalize_with_map

BUILD = Path(__file__).resolve().parent.parent / "scripts" / "build_han_variants.py"
TABLE = Path(__file__).resolve().parent.parent / "app" / "data" / "text" / "han_variants.tsv"

# (traditional, simplified): Taiwan and Hong Kong spellings of export-control news.
PAIRS = [
    ("美國商務部", "美国商务部"),
    ("出口許可證", "出口许可证"),
    ("實體清單", "实体清单"),
    ("華為與臺積電", "华为与台积电"),
    ("輝達H20晶片禁令", "辉达H20晶片禁令"),
    ("鎵和鍺的出口管制", "镓和锗的出口管制"),
    ("撤銷規則", "撤销规则"),
]


def test_the_table_is_what_opencc_gives_now():
    build = runpy.run_path(str(BUILD))
    assert TABLE.read_text(encoding="utf-8") == build["render"](build["variants"]())


def test_traditional_and_simplified_fold_alike_and_keep_offsets():
    for traditional, simplified in PAIRS:
        assert normalize(traditional) == normalize(simplified)
        assert index_tokens(traditional) == index_tokens(simplified)
        folded, offsets = normalize_with_map(traditional)
        assert len(folded) == len(traditional) and list(offsets) == list(range(len(traditional)))
    assert normalize("中国芯片") == "中国芯片"  # simplified text is left as it is


def test_a_traditional_article_is_tagged_like_its_simplified_twin():
    published = datetime(2025, 4, 20, tzinfo=UTC)
    traditional = (
        "美國限制輝達H20晶片出口",
        "美國商務部工業與安全局本月通知輝達，向中國出口H20晶片須申請許可證。"
        "中國國家市場監督管理總局另對輝達展開調查。華為的昇騰晶片將受惠。",
    )
    simplified = (
        "美国限制英伟达H20芯片出口",
        "美国商务部工业与安全局本月通知英伟达，向中国出口H20芯片须申请许可证。"
        "中国国家市场监督管理总局另对英伟达展开调查。华为的昇腾芯片将受惠。",
    )
    enricher = default_enricher()
    twin = enricher.enrich(*simplified, published)
    found = enricher.enrich(*traditional, published)
    # The agencies' traditional names are not in the gazetteer: only the fold finds them.
    assert {"nvidia", "huawei", "h20", "bis", "samr"} <= set(twin.tags)
    assert set(found.tags) == set(twin.tags)
    assert set(found.restrictions) == set(twin.restrictions) != set()


def test_taiwan_and_hong_kong_names_that_differ_by_word_are_aliases():
    # Not a character fold: Taiwan writes 沙烏地 for 沙特 and 工業暨安全局 for BIS.
    enricher = default_enricher()
    published = datetime(2025, 5, 14, tzinfo=UTC)
    text = "美國商務部工業暨安全局放行輝達晶片出口至沙烏地阿拉伯與阿拉伯聯合大公國。"
    assert {"bis", "saudi-arabia", "uae", "nvidia"} <= set(
        enricher.enrich("", text, published).tags
    )


def test_a_taiwan_readers_word_for_chips_is_the_chips_concept():
    from app.search import concepts

    # 晶片 (Taiwan, Hong Kong) and 芯片 (mainland) are one word for an analyst.
    assert set(concepts.topic_tokens("", "輝達AI晶片")) == set(
        concepts.topic_tokens("", "英伟达AI芯片")
    )
