"""What a token says, and what validation learns about it."""
import dataclasses
import datetime

METHODS = ('password', 'token', 'application_credential')


@dataclasses.dataclass
class TokenPayload:
    """The facts sealed inside a Fernet token.

    Exactly one of ``project_id``, ``domain_id`` and ``system`` is set for
    a scoped token; none for an unscoped one.  ``audit_ids`` is the token's
    own audit id, followed by the audit id of the token it was rescoped
    from (the chain id), if any.
    """
    user_id: str
    methods: list
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    audit_ids: list
    project_id: str | None = None
    domain_id: str | None = None
    system: bool = False
    application_credential_id: str | None = None

    @property
    def audit_id(self):
        return self.audit_ids[0]

    @property
    def audit_chain_id(self):
        return self.audit_ids[-1]

    @property
    def scoped(self):
        return bool(self.project_id or self.domain_id or self.system)


@dataclasses.dataclass
class ValidatedToken:
    """A token whose payload was checked against the database just now.

    ``user``, ``project`` and ``domain`` are the ORM rows (detached);
    ``roles`` the effective roles (implied roles included) as ``Role`` rows.
    """
    token_id: str
    payload: TokenPayload
    user: object
    user_domain: object
    project: object = None
    project_domain: object = None
    domain: object = None
    roles: list = dataclasses.field(default_factory=list)
    application_credential: object = None
    is_admin_project: bool = False

    @property
    def role_names(self):
        return [r.name for r in self.roles]
