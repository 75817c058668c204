"""Bringing history and decks in: review logs as CSV (revlog_csv) and Anki packages (anki).

Both end in `reviews.write_reviews`, which merges reviews into the store's log in one transaction and
replays each touched card through the scheduler. html_text turns Anki's field HTML into markdown and
yaml_writer writes decks as tidy YAML.
"""
