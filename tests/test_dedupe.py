"""Near-duplicates (duplicate_of) and same-story grouping across languages (story_id)."""

import pytest
from sqlalchemy import select

from app.article import linking as dedupe
from app.article.detail import article_detail
from app.ingest.items import RawItem
from app.ingest.pipeline import Ingestor
from app.models import Article, IndexOutbox

WIRE = """Nvidia said on Tuesday that the U.S. government had told it that exports of its H20 artificial intelligence chip to China will require a licence, a move that shuts the company out of its last large market for data-centre processors in the country.

The chip designer said it expects to take charges of about $5.5 billion in its first quarter, which ends on April 27, for H20 inventory, purchase commitments and related reserves.

The H20 was developed after the Commerce Department's October 2023 rules barred the sale of more capable processors such as the H100 and the H800 to Chinese customers. It has been sold to companies including Tencent, Alibaba and ByteDance, which had stepped up orders early this year.

Officials told the company the licence requirement addresses the risk that the products may be used in, or diverted to, a supercomputer in China, Nvidia said in a regulatory filing. The requirement will stay in place indefinitely, it added.

Nvidia shares fell about 6% in extended trading after the filing was published. Rival Advanced Micro Devices said it had received a similar notice covering its MI308 processor and expected charges of up to $800 million."""

EDITED = (WIRE.replace("Nvidia said on Tuesday", "Chip designer Nvidia said on Tuesday")
          .replace("shuts the company out of", "locks the firm out of")
          .replace("about 6% in extended trading", "roughly 6% in after-hours trade")
          .replace("stepped up orders early this year", "increased orders in the first months of 2025")
          + "\n\n(Reporting by a staff writer; additional reporting by the Tech Desk; editing by the wire desk.)")
TRUNCATED = "\n\n".join(WIRE.split("\n\n")[:3])

ARABIC = """قالت شركة إنفيديا الأمريكية إن الحكومة الأمريكية أبلغتها بأن تصدير رقائق H20 المخصصة للذكاء الاصطناعي إلى الصين سيحتاج إلى ترخيص، في خطوة تغلق أمامها آخر سوق كبيرة لمعالجات مراكز البيانات هناك.
وأضافت الشركة أنها تتوقع أعباء بنحو 5.5 مليار دولار مرتبطة بمخزون H20، وكانت شركات مثل تينسنت وعلي بابا وبايت دانس قد زادت طلباتها في بداية العام. وقالت شركة AMD إنها تلقت إخطاراً مماثلاً بشأن معالجها MI308، بحسب وزارة التجارة."""

CHINESE = """英伟达周二表示，美国政府通知该公司，向中国出口H20人工智能芯片今后需要获得许可证。公司预计将因H20库存、采购承诺及相关准备金计提约55亿美元的费用。腾讯、阿里巴巴和字节跳动今年早些时候曾增加订单。AMD也表示收到了针对MI308处理器的类似通知。美国商务部此前于2023年10月禁止向中国出售H100和H800。"""

HUAWEI = """Huawei is preparing to ship its Ascend 910C processor in volume to Chinese customers as early as next month, people familiar with the plans said. The 910C combines two 910B dies in one package and much of it is made on SMIC's 7 nanometre process. Chinese technology firms have tested the chip for training and inference workloads."""


def _ingest(runtime, *items, outbox=False):
    ingestor = Ingestor(runtime.sessions, runtime.enricher, outbox=outbox)
    return ingestor.ingest([RawItem(origin=f"test:{i}", **fields) for i, fields in enumerate(items)])


def _get(runtime, article_id) -> Article:
    with runtime.sessions() as session:
        return session.get(Article, article_id)


def test_shingle_resemblance_of_edits_copies_and_strangers():
    wire, edited, truncated = (dedupe.shingles(t) for t in (WIRE, EDITED, TRUNCATED))
    jaccard, _ = dedupe.resemblance(wire, edited)
    assert jaccard > 0.6 and dedupe.is_near_duplicate(wire, edited)
    jaccard, contained = dedupe.resemblance(wire, truncated)
    assert jaccard < 0.7 and contained == 1.0 and dedupe.is_near_duplicate(wire, truncated)
    assert dedupe.resemblance(wire, dedupe.shingles(HUAWEI))[0] < 0.05
    assert not dedupe.is_near_duplicate(wire, dedupe.shingles(ARABIC))
    # Case, width, spacing and Arabic spelling do not count as edits.
    assert dedupe.shingles("إنفيديا تطلب ترخيص تصدير الرقائق إلى الصين") == \
        dedupe.shingles("انفيديا  تطلب ترخيص تصدير الرقائق الى الصين")


def test_lightly_edited_wire_copies_linked_to_the_first(runtime, client):
    report = _ingest(runtime,
                     {"title": "Nvidia says H20 exports to China need a licence", "body": WIRE,
                      "published_at": "2025-04-15T21:30:00Z", "url": "https://wire.example/h20"},
                     {"title": "US licence rule shuts Nvidia's H20 out of China", "body": EDITED,
                      "published_at": "2025-04-16T06:00:00Z", "url": "https://daily.example/nvidia-h20"},
                     {"title": "Nvidia's H20 needs a licence", "body": TRUNCATED,
                      "published_at": "2025-04-16T09:00:00Z", "url": "https://brief.example/h20"})
    assert report.added == 3
    first, edited, truncated = (_get(runtime, i) for i in report.article_ids)
    assert first.duplicate_of is None
    assert edited.duplicate_of == first.id and truncated.duplicate_of == first.id
    assert first.story_id and edited.story_id == truncated.story_id == first.story_id
    # Search shows the story once; the other versions are one click away on the article.
    hits = client.get("/api/search", params={"q": "H20"}).json()["hits"]
    assert [h["id"] for h in hits] == [first.id]
    assert set(client.get(f"/api/articles/{first.id}").json()["same_story"]) == {edited.id, truncated.id}


def test_copy_of_a_copy_points_to_the_first(runtime):
    ids = _ingest(runtime, {"body": WIRE, "published_at": "2025-04-15"},
                  {"body": EDITED, "published_at": "2025-04-16"}).article_ids
    again = EDITED.replace("roughly 6%", "nearly 6%").replace("Chip designer Nvidia", "Nvidia Corp")
    (third,) = _ingest(runtime, {"body": again, "published_at": "2025-04-17"}).article_ids
    assert _get(runtime, third).duplicate_of == ids[0]


def test_copies_far_apart_in_time_are_not_linked(runtime):
    ids = _ingest(runtime, {"body": WIRE, "published_at": "2025-04-15"},
                  {"body": EDITED, "published_at": "2025-06-15"}).article_ids
    assert _get(runtime, ids[1]).duplicate_of is None


def test_unrelated_articles_not_linked(runtime):
    ids = _ingest(runtime, {"body": WIRE, "published_at": "2025-04-15"},
                  {"body": HUAWEI, "published_at": "2025-04-16"}).article_ids
    assert all(_get(runtime, i).duplicate_of is None for i in ids)
    assert _get(runtime, ids[1]).story_id is None


def test_same_story_in_three_languages_grouped(runtime, client):
    report = _ingest(runtime,
                     {"title": "Nvidia says H20 exports to China need a licence", "body": WIRE,
                      "published_at": "2025-04-15T21:30:00Z"},
                     {"title": "إنفيديا: تصدير رقائق H20 إلى الصين يتطلب ترخيصاً", "body": ARABIC,
                      "published_at": "16 أبريل 2025"},
                     {"title": "英伟达称H20芯片对华出口需要许可证", "body": CHINESE,
                      "published_at": "2025年4月16日 下午3时 北京时间"},
                     {"title": "Huawei readies Ascend 910C shipments", "body": HUAWEI,
                      "published_at": "2025-04-16T08:00:00Z"})
    english, arabic, chinese, huawei = (_get(runtime, i) for i in report.article_ids)
    assert (english.lang, arabic.lang, chinese.lang) == ("en", "ar", "zh")
    assert english.story_id and english.story_id == arabic.story_id == chinese.story_id
    assert huawei.story_id != english.story_id
    assert not any(a.duplicate_of for a in (english, arabic, chinese))  # versions, not copies
    assert set(client.get(f"/api/articles/{arabic.id}").json()["same_story"]) == {english.id, chinese.id}
    with runtime.sessions() as session:
        assert article_detail(session, huawei.id)["same_story"] == []


def test_same_entities_weeks_apart_are_different_stories(runtime):
    ids = _ingest(runtime, {"body": WIRE, "published_at": "2025-04-15"},
                  {"body": ARABIC, "published_at": "2025-05-20"}).article_ids
    assert _get(runtime, ids[1]).story_id is None


def test_relinked_articles_are_queued_for_the_index(runtime):
    first = _ingest(runtime, {"body": WIRE, "published_at": "2025-04-15"}, outbox=True).article_ids[0]
    second = _ingest(runtime, {"body": ARABIC, "published_at": "2025-04-16"}, outbox=True).article_ids[0]
    with runtime.sessions() as session:
        queued = sorted(session.scalars(select(IndexOutbox.article_id)))
    # The first article got a story_id when the second joined it: its document must be refreshed.
    assert queued == sorted([first, first, second])


@pytest.mark.parametrize("text", ["", "short", "一二三"])
def test_tiny_texts_have_few_shingles(text):
    assert len(dedupe.shingles(text)) <= 1
