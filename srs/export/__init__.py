"""`srs export`: decks as Anki packages and as printable PDFs.

Import nothing heavy here: `srs --help` loads `srs.commands.export`, which imports this package.
"""
