"""Card text (markdown) turned into what other programs show: HTML for Anki, styled runs for print."""
