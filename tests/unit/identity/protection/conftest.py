"""The personas of the protection matrix (STYLE item 15, anchor target S4).

Every protection module gets its own identity service (``env`` is module
scoped) with the same cast, built once:

* ``cloud_admin``: admin on the cloud's admin project (the bootstrap admin);
* ``system_admin`` and ``system_reader``: system-scoped tokens;
* ``domain_admin`` and ``domain_reader``: scoped to domain A;
* ``project_admin``, ``project_member``, ``project_reader``: on project P
  of domain A (``project_admin`` must *not* be a cloud administrator);
* ``other_member``: member of project Q in domain B;
* ``foo``: a role nobody's policy knows, on project P.

Users of the domain and project personas live in domain A, the other
member in domain B.  Tests never change a persona (they act on fresh
targets), so the tokens stay valid for the whole module.
"""
import dataclasses

import pytest

from tests.unit.identity import factories as f

PERSONAS = ('cloud_admin', 'system_admin', 'system_reader', 'domain_admin', 'domain_reader',
            'project_admin', 'project_member', 'project_reader', 'other_member', 'foo')

CLOUD_ADMINS = frozenset({'cloud_admin', 'system_admin'})
CLOUD_READERS = CLOUD_ADMINS | {'system_reader'}
DOMAIN_ADMINS = CLOUD_ADMINS | {'domain_admin'}  # of domain A
DOMAIN_READERS = CLOUD_READERS | {'domain_admin', 'domain_reader'}  # of domain A
ON_PROJECT = frozenset({'project_admin', 'project_member', 'project_reader', 'foo'})  # P
EVERYONE = frozenset(PERSONAS)


def matrix(allowed, ok=200, denied=403, personas=PERSONAS, **special):
    """``(persona, expected status)`` parameters covering every persona.

    :param allowed: personas expected to get ``ok``; every other persona
        is expected to get ``denied``, so an extra allow fails the test.
    :param special: ``persona=status`` for the exceptions (a hidden 404,
        a 400 for a token of the wrong kind).
    """
    unknown = (set(allowed) | set(special)) - set(personas)
    assert not unknown, f'not personas: {unknown}'
    return [pytest.param(p, special.get(p, ok if p in allowed else denied), id=p)
            for p in personas]


@dataclasses.dataclass
class Persona:
    name: str
    user: object
    token: str


@dataclasses.dataclass
class World:
    env: object
    domain: object          # A
    other_domain: object    # B
    project: object         # P, in A
    other_project: object   # Q, in B
    personas: dict

    @property
    def api(self):
        return self.env.api

    @property
    def backend(self):
        return self.env.backend

    def token(self, persona):
        return self.personas[persona].token

    def user(self, persona):
        return self.personas[persona].user

    def request(self, persona, method, path, **kwargs):
        return self.api.request(method, path, token=self.token(persona), **kwargs)


def build_world(env):
    backend = env.backend
    a, b = f.make_domain(backend, name='domain-a'), f.make_domain(backend, name='domain-b')
    p = f.make_project(backend, domain=a, name='project-p')
    q = f.make_project(backend, domain=b, name='project-q')
    f.make_role(backend, name='foo')
    personas = {'cloud_admin': Persona('cloud_admin', env.admin, env.admin_token())}

    def persona(name, home, role, **target):
        user = f.make_user(backend, domain=home, name=name)
        f.grant(backend, role, user=user, **target)
        personas[name] = Persona(name, user, f.token_for(backend, user, **target))

    persona('system_admin', None, 'admin', system=True)
    persona('system_reader', None, 'reader', system=True)
    persona('domain_admin', a, 'admin', domain=a)
    persona('domain_reader', a, 'reader', domain=a)
    persona('project_admin', a, 'admin', project=p)
    persona('project_member', a, 'member', project=p)
    persona('project_reader', a, 'reader', project=p)
    persona('other_member', b, 'member', project=q)
    persona('foo', a, 'foo', project=p)
    return World(env=env, domain=a, other_domain=b, project=p, other_project=q,
                 personas=personas)


@pytest.fixture(scope='module')
def world(env):
    return build_world(env)
