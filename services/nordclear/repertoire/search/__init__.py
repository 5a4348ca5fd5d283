"""Fuzzy search over works by title and creator names: normalisation keys and an in-memory index.

``normalise`` turns titles and names into matching keys (case, accents, Nordic letters, punctuation,
featured credits and version suffixes); ``index`` keeps works in memory and answers top-k searches that
tolerate typos, transliteration and word order. Both are pure: no I/O, no transport, no database.
"""
