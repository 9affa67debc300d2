"""Full-text search over visible posts: Whoosh schema, analyzers, query language, indexer.

This package is the only place in Tribune that imports `whoosh`. The index is derived data: it
can be deleted and rebuilt from the database at any time (STYLE.md, "Search is derived").
"""
