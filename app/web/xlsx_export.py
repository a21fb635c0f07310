"""Every view as an XLSX workbook (/export.xlsx), beside the CSV: real date cells, and scraped
text always stored as text (a title such as "=HYPERLINK(...)" never becomes a formula)."""

import io
from datetime import date

from fastapi import APIRouter
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.web.deps import FiltersDep, RuntimeDep, SessionDep
from app.web.exports import COLUMNS, EXPORT_LIMIT, _all_hits, entity_columns
from app.web.feed_page import download_name
from app.web.schemas import errors

router = APIRouter(tags=["exports"], responses=errors(401, 422))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XLSXResponse(Response):
    media_type = XLSX


def _text(sheet, value) -> WriteOnlyCell:
    # Control characters that XLSX cannot hold are dropped (openpyxl would refuse the row).
    cell = WriteOnlyCell(
        sheet, value=ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    )
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


@router.get(
    "/export.xlsx",
    response_class=XLSXResponse,
    responses={
        200: {
            "description": "XLSX workbook, one row per article",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def export_xlsx(filters: FiltersDep, session: SessionDep, runtime: RuntimeDep) -> XLSXResponse:
    """The CSV's columns in a workbook; `date` is a date cell (yyyy-mm-dd)."""
    # The hits first: a search that fails (an unknown entity's 422) fails before a write-only
    # workbook is opened, whose half-written sheet would be left for the garbage collector.
    hits = list(_all_hits(session, filters, runtime, EXPORT_LIMIT))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("articles")
    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = _text(sheet, name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for hit in hits:
        day = WriteOnlyCell(sheet, value=date.fromisoformat(hit["published_at"][:10]))
        day.number_format = "yyyy-mm-dd"
        sheet.append(
            [
                hit["id"],
                day,
                *(
                    _text(sheet, v)
                    for v in (
                        hit["lang"],
                        hit["source"],
                        hit["title"],
                        hit["url"],
                        *entity_columns(hit),
                        hit["published_at"],
                    )
                ),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return XLSXResponse(
        buffer.getvalue(), headers={"Content-Disposition": download_name(session, filters, "xlsx")}
    )
