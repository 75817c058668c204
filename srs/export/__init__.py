"""`srs export`: decks as Anki packages and as printable PDFs.

Import nothing heavy here: `srs --help` loads `srs.export.command`, which imports this package.
"""
