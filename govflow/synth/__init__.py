"""Synthetic data (issue #5 item 5): a county's organisation and years of its cases.

``org.synthetic_org`` makes the agencies and users, ``plan.plan`` / ``plan.plan_agency``
the case scripts (pure: a seed in, ``script.CaseScript`` out), and
``script.apply_script`` plays a script through the service layer.
"""
