"""extract: Chinese news articles in, normalized tables of figures, entities and context out."""

__version__ = "0.1.0"
