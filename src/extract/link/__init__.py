"""Context of each quantity: its metric, subject and period (`linker`); it reads the entity
layer's mentions (`extract.entities.spans.Entity`)."""

from extract.link.linker import link

__all__ = ["link"]
