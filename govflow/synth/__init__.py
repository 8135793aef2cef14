"""Synthetic data (issue #5 item 5): a county's organisation and years of its cases.

``org.synthetic_org`` makes the agencies and users, ``plan.plan`` / ``plan.plan_agency``
the case scripts (pure: a seed in, ``script.CaseScript`` out), and
``script.apply_script`` plays a script through the service layer, ``generate.write_cases``
writes them (one transaction an action, or in bulk through ``govflow.models.bulk``).

May import: ``govflow.workflow`` (the services), ``govflow.models`` (the bulk writer, the
organisation file) and ``govflow.app``; never a front end or ``govflow.presentation``.
"""
