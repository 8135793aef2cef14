"""History from before govflow (issue 15 item 7): an office's existing spreadsheet of disclosure
requests becomes cases whose events are marked imported.

``columns`` is the documented column layout and the cell parsing; ``sheet`` what a file's
lines mean (the header, the rows); ``plan`` turns a parsed row into the actions that tell its
history. The use case that checks every row, then writes all of them in one transaction or
none, is ``services.imports``; reading the .xlsx or .csv bytes is the front end's
(``govflow.presentation.import_sheet``). About one case type, the disclosure request.
"""
