"""An article's original text as HTML with its quantities and entities marked in place.

Every character of the article is escaped here, once: the text may hold anything (``<script>``,
``</textarea>``, NUL bytes, bidirectional overrides, lone surrogates from a bad decode). Spans are
given by original offsets; spans that nest become nested marks, and a span that crosses another
is cut into pieces that share one reference, so hovering any piece shows the same record.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

# Invisible characters that would change how the rest of the line reads (direction overrides,
# isolates) or that HTML cannot carry (C0 controls but tab and line breaks, lone surrogates): each
# is shown as a visible code, so the page never reorders or hides the article's text.
_DIRECTION_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200E, 0x200F}


def _visible_char(ch: str) -> str:
    cp = ord(ch)
    if (cp < 0x20 and ch not in "\t\n\r") or cp == 0x7F or 0xD800 <= cp <= 0xDFFF or cp in _DIRECTION_CONTROLS:
        return f'<span class="ctl" title="U+{cp:04X}">U+{cp:04X}</span>'
    return str(escape(ch))


def _needs_char_pass(text: str) -> bool:
    return any((ord(c) < 0x20 and c not in "\t\n\r") or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF
               or ord(c) in _DIRECTION_CONTROLS for c in text)


def escape_text(text: str) -> Markup:
    """``text`` as HTML: escaped, with invisible controls shown as codes (one pass, offsets kept)."""
    if not _needs_char_pass(text):
        return escape(text)
    return Markup("".join(_visible_char(c) for c in text))


@dataclass(frozen=True)
class Span:
    """One highlighted stretch: [start, end) in the original, its CSS classes and its reference."""

    start: int
    end: int
    classes: str
    ref: str  # the record it shows: "q3" (quantity 3) or "e5" (entity 5)
    anchor: str | None = None  # id of the first piece, the target of links from the facts table


def _open(span: Span, first: bool) -> str:
    attrs = f'class="{span.classes}" data-ref="{span.ref}" tabindex="0"'
    if first and span.anchor:
        attrs = f'id="{span.anchor}" ' + attrs
    return f"<mark {attrs}>"


def mark_up(text: str, spans: list[Span]) -> Markup:
    """The whole of ``text`` escaped, each span wrapped in ``<mark>`` elements.

    Spans outside the text or empty are left out; the caller checks offsets against surfaces.
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    # longer spans open first at one position, so the shorter nest inside them
    valid.sort(key=lambda s: (s.start, -s.end, s.ref))
    bounds = sorted({0, len(text)} | {s.start for s in valid} | {s.end for s in valid})
    starting: dict[int, list[Span]] = {}
    for s in valid:
        starting.setdefault(s.start, []).append(s)
    out: list[str] = []
    stack: list[Span] = []
    opened: set[str] = set()
    for i, pos in enumerate(bounds):
        # close every span ending here; a crossing span above it is closed and reopened as a piece
        ending = [k for k, s in enumerate(stack) if s.end == pos]
        if ending:
            reopen = [s for s in stack[ending[0]:] if s.end != pos]
            out.append("</mark>" * (len(stack) - ending[0]))
            del stack[ending[0]:]
            for s in reopen:
                out.append(_open(s, first=False))
                stack.append(s)
        for s in starting.get(pos, []):
            out.append(_open(s, first=s.ref not in opened))
            opened.add(s.ref)
            stack.append(s)
        if i + 1 < len(bounds):
            out.append(str(escape_text(text[pos:bounds[i + 1]])))
    out.append("</mark>" * len(stack))
    return Markup("".join(out))
