"""Delivering a batch of new articles: a webhook POST (chipwatch JSON, Slack or Teams) or a
multipart email (plain text and HTML, right to left where a title is Arabic)."""

import html
import smtplib
import ssl
import unicodedata
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from app.ingest.fetch import Fetcher, FetchError

WEBHOOK_TIMEOUT = 10.0


class DeliveryError(RuntimeError):
    pass


def direction(text: str) -> str:
    """rtl when the first strongly directional letter is Arabic or Hebrew (the rule of
    dir="auto", which mail clients do not all honour)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def links(runtime, view, articles: list[dict]) -> tuple[dict, list[dict]]:
    base = runtime.settings.public_base()
    view_out = {"id": view.id, "name": view.name, "url": f"{base}/?{view.query}"}
    out = [
        {
            "id": a["id"],
            "title": a["title"],
            "url": f"{base}/articles/{a['id']}",
            "published_at": a["published_at"],
            "lang": a["lang"],
            "entities": a["entities"],
        }
        for a in articles
    ]
    return view_out, out


def webhook_body(sub, view_out: dict, articles: list[dict]) -> dict:
    if sub.format == "json":
        # delivery_id: one per article and subscription, the same in every copy, so a receiver
        # drops an article sent again after a worker died before recording the send (a copy
        # may come in a batch of other articles, with another Idempotency-Key).
        return {
            "view": view_out,
            "articles": [{**a, "delivery_id": delivery_id(sub.id, a["id"])} for a in articles],
        }
    lines = [f"{len(articles)} new in “{view_out['name']}”"]
    if sub.format == "slack":  # Slack incoming webhooks: mrkdwn links <url|text>
        lines += [
            f"• <{a['url']}|{_slack(a['title'])}> ({a['published_at'][:10]}, {a['lang']})"
            for a in articles
        ]
        return {"text": "\n".join(lines)}
    # Teams incoming webhooks take Markdown text.
    lines += [
        f"- [{_md(a['title'])}]({a['url']}) ({a['published_at'][:10]}, {a['lang']})"
        for a in articles
    ]
    return {"text": "\n\n".join(lines)}


def delivery_id(subscription_id: int, article_id: int) -> str:
    return f"chipwatch-{subscription_id}-{article_id}"


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "¦")


def _md(text: str) -> str:
    return "".join("\\" + c if c in "[]()*_`\\" else c for c in text)


def check_webhook(settings, url: str) -> str | None:
    """Why a webhook URL is refused before any network use, or None (the same private-address
    rule as feeds; host names are checked again at every connection)."""
    fetcher = Fetcher.from_settings(settings)
    try:
        fetcher.check_url(url)
        parts = urlsplit(url)
        if not fetcher.allow_private:
            for address in fetcher.resolver(parts.hostname, parts.port or 443):
                fetcher.check_address(parts.hostname, address)
    except FetchError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001 - unparseable, or a host that does not resolve
        return f"cannot use this URL: {exc}"
    return None


def send(runtime, sub, view, articles: list[dict], key: str) -> None:
    view_out, items = links(runtime, view, articles)
    if sub.kind == "webhook":
        post_webhook(runtime.settings, sub, webhook_body(sub, view_out, items), key)
    else:
        send_email(runtime.settings, sub.target, view_out, items, key)


def post_webhook(settings, sub, body: dict, key: str) -> None:
    fetcher = Fetcher.from_settings(
        settings, read_timeout=WEBHOOK_TIMEOUT, connect_timeout=WEBHOOK_TIMEOUT
    )
    try:
        fetcher.check_url(sub.target)
        response = fetcher.client.post(
            sub.target,
            json=body,
            headers={
                "Idempotency-Key": key,
                "X-Chipwatch-Delivery": key,
                "Content-Type": "application/json",
                "Accept": "*/*",
            },
        )
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"the receiver answered HTTP {response.status_code}")
    except FetchError as exc:
        raise DeliveryError(str(exc)) from None
    finally:
        fetcher.close()


def email_message(
    sender: str, to: str, view_out: dict, articles: list[dict], key: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"chipwatch: {len(articles)} new in {view_out['name']}"
    msg["From"], msg["To"] = sender, to
    msg["Message-ID"] = make_msgid(idstring=key[:60], domain="chipwatch")
    msg["X-Chipwatch-Delivery"] = key
    plain = [
        f'{len(articles)} new article(s) in your view "{view_out["name"]}" ({view_out["url"]}):',
        "",
    ]
    for a in articles:
        names = ", ".join(e["name"] for e in a["entities"])
        plain += [
            a["title"],
            f"  {a['published_at'][:10]} · {a['lang']} · {names}",
            f"  {a['url']}",
            "",
        ]
    msg.set_content("\n".join(plain))
    items = []
    for a in articles:
        way = direction(a["title"])
        names = html.escape(", ".join(e["name"] for e in a["entities"]))
        items.append(
            f'<li dir="{way}"><a href="{html.escape(a["url"])}">{html.escape(a["title"])}</a>'
            f'<br><small dir="ltr">{a["published_at"][:10]} · {html.escape(a["lang"])} · {names}</small></li>'
        )
    msg.add_alternative(
        f"<!doctype html><html><body><p>{len(articles)} new in "
        f'<a href="{html.escape(view_out["url"])}"><bdi>{html.escape(view_out["name"])}</bdi></a>:</p>'
        f"<ul>{''.join(items)}</ul></body></html>",
        subtype="html",
    )
    return msg


def send_email(settings, to: str, view_out: dict, articles: list[dict], key: str) -> None:
    if not settings.smtp_url:
        raise DeliveryError("email alerts need CHIPWATCH_SMTP_URL")
    url = urlsplit(settings.smtp_url.get_secret_value())
    if url.scheme not in ("smtp", "smtps"):
        raise DeliveryError("CHIPWATCH_SMTP_URL must start with smtp:// or smtps://")
    message = email_message(settings.smtp_from, to, view_out, articles, key)
    host, port = url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25)
    try:
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=WEBHOOK_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=WEBHOOK_TIMEOUT)
        with client:
            if url.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}") from None
