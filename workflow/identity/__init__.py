"""Identity (SPEC U-1): accounts, passwords, sessions, login protection, API tokens, sign-on.

What lives here, and what it may import:

- ``principal``  who is calling: a user (roles, agency) and the channel they came through
- ``passwords``, ``lockout``, ``sessions``, ``opaque``  the policies, pure functions of
  their inputs and the time (no I/O); ``settings`` their configuration
- ``providers``, ``oidc``  the login step as an interface; local passwords; OpenID Connect
  (its HTTP goes through a ``Transport`` port the edge supplies)
- ``accounts``, ``login``, ``tokens``  the use cases, through the ``IdentityStore`` port
  (``ports``) of the unit of work; ``acting`` turns a principal into the actor of one
  action for the case use cases
- ``orgsync``  what an organisation-file import changes, decided without I/O

Only the domain (``govflow.workflow``) and the libraries are imported here; the
persistence is ``govflow.models.identity_repo``, the commands ``govflow.cli.users``.
"""
