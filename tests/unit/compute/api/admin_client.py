"""The test client as a cloud admin, at 2.60 unless a request names another version."""


class AdminApi:

    def __init__(self, api, version='2.60'):
        self.api = api
        self.version = version

    def _call(self, method, *args, version=None, **kwargs):
        return getattr(self.api, method)(*args, as_='cloud_admin',
                                         version=version or self.version, **kwargs)

    def get(self, *args, **kwargs):
        return self._call('get', *args, **kwargs)

    def post(self, *args, **kwargs):
        return self._call('post', *args, **kwargs)

    def put(self, *args, **kwargs):
        return self._call('put', *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call('delete', *args, **kwargs)
