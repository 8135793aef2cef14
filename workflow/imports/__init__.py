"""History from before govflow (issue 15 item 7): an office's existing spreadsheet of disclosure
requests becomes cases whose events are marked imported.

``columns`` is the documented column layout and the cell parsing; ``sheet`` reads an .xlsx
or .csv file's bytes into rows; ``plan`` turns a parsed row into the actions that tell its
history; ``service`` checks every row, then writes all of them in one transaction, or none.
"""
