"""`srs search`: the query syntax (query.py), a plain Python filter that defines what each query means
(reference.py), and the SQL that runs it on the store (srs/store/search.py)."""
