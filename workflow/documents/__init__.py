"""A case's documents (SPEC N-1, N-2): the notices it issued and the files attached to it.

Every document is recorded in the event that issued or attached it (number, kind, SHA-256,
size, type), so the hash chain proves what was issued; the bytes live in a content-addressed
file store (``store.FileStore``) under their SHA-256. ``records`` reads the documents back
from the events, ``filetypes`` checks what an upload really is, ``service`` holds the use
cases, ``casefile`` the archive (卷宗) and its check.
"""
