"""The analysis pipeline, in plain Python: no Django import anywhere below this package.

Typed dataclasses go in and come out (see `consult.analysis.types`); the Django side loads rows,
calls these functions, and writes their results in one transaction. Heavy libraries (torch,
sentence-transformers, BERTopic) are imported lazily inside the functions that need them, so
importing this package is cheap and the web process never loads them.
"""
