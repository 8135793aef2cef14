"""Written notices (书面告知, SPEC N-1): which action issues which notice, what fills it, its
number, and the .docx templates it is rendered from.

The catalog (``configs/notices/notices.yaml``) and the templates are data; ``fill`` turns a
case into a template's values (pure), ``templates`` loads and checks the .docx files and
renders them, ``issue`` is the hook the service layer calls inside an action's transaction.
"""
