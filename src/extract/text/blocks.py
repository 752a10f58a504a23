"""Blocks of a long text: the one definition of where a text too long for one pass is cut.

The pipeline cuts huge inputs into blocks (memory stays bounded) and the entity step cuts its input
into chunks of one model call each; both cut here, so a name is never split at one layer's cut and
kept whole at the other's.
"""

from __future__ import annotations


def block_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) pieces of ``text`` of at most ``size`` characters, covering it in order.

    Cuts fall at a blank line if there is one in the second half of the window, else at a line
    break, else after 。, else at the size limit. An empty text has no pieces.
    """
    out = []
    pos = 0
    n = len(text)
    while n - pos > size:
        window_end = pos + size
        cut = -1
        for sep in ("\n\n", "\n", "。"):
            i = text.rfind(sep, pos + size // 2, window_end)
            if i >= 0:
                cut = i + len(sep)
                break
        if cut <= pos:
            cut = window_end
        out.append((pos, cut))
        pos = cut
    if pos < n:
        out.append((pos, n))
    return out
