"""The web front ends (HTTP API and pages) and the assets they serve themselves.

The office intranet has no internet: every script, stylesheet and font the pages or the API
documentation use is vendored under ``static/vendor/`` (versions, licences and checksums in
``static/vendor/VENDOR.md``) and served by govflow. Nothing here holds a rule: handlers parse,
call the service layer and render.

May import: ``govflow.app`` (the composition root), ``govflow.workflow.services`` and the
domain's types, ``govflow.presentation``; never ``govflow.models`` or ``govflow.cli`` (the
readiness probe, ``health``, asks the database engine it is given for ``SELECT 1``).
"""
