"""Identity (SPEC U-1): who acts — accounts, passwords, sessions, login protection, API
tokens, sign-on — as domain rules without I/O.

What lives here:

- ``principal``  who is calling: a user (roles, agency), the channel they came through,
  an API token's scope
- ``passwords``, ``lockout``, ``sessions``, ``opaque``  the policies, pure functions of
  their inputs and the time; ``settings`` their configuration (``identity:`` in settings)
- ``providers``, ``oidc``  the login step as an interface; local passwords; OpenID Connect
  (its HTTP goes through a ``Transport`` port the edge supplies, ``govflow.sso``)
- ``acting``  a principal turned into the actor of one action, inside its transaction
- ``orgsync``  what an organisation-file import changes, decided without I/O
- ``security``  the security log's entries and its actions (``SecurityAction``), each with
  its words (``SECURITY_ACTION_LABELS``); ``ports``  the ``IdentityStore`` port

The use cases are in the service layer (``workflow/services/``: ``accounts``, ``logs``,
``signin``, ``tokens``); the persistence is ``govflow.models.identity_repo``, the commands
``govflow.cli.users``.

May import: the rest of the domain (``govflow.workflow``) and the libraries (argon2,
Authlib, joserfc, pydantic); never the service layer, persistence or a front end.
"""
