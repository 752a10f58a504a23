"""``python -m extract`` runs the command line."""

from extract.io.cli import main

main()
