"""Context of each quantity: its metric, subject and period (`linker`)."""

from extract.link.linker import Mention, link

__all__ = ["Mention", "link"]
