"""Policy of the API as a whole: whose project a URL may name."""
from volume.policies import ADMIN, rule

RULES = [
    rule('url_project', ADMIN,
         'Name a project other than the token\'s in the URL (/v3/{project_id}/...): the '
         'request then acts in that project.', 'GET|POST|PUT|DELETE', '/*'),
]
