"""Writers: one per output format, each a function ``write(report, lang, color=False) -> str``."""

from checks.report import json, text

WRITERS = {
    "text": text.write,
    "json": json.write,
}
