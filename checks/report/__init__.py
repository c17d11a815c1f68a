"""Writers: one per output format, each a function ``write(report, lang, color=False) -> str``.

Every writer reads the same ``Report``; ``rows`` flattens it the way the flat formats need.
"""

from checks.report import classroom, gradescope, json, junit, markdown, text, trybe

WRITERS = {
    "text": text.write,
    "json": json.write,
    "gradescope": gradescope.write,
    "classroom": classroom.write,
    "trybe": trybe.write,
    "markdown": markdown.write,
    "junit": junit.write,
}
