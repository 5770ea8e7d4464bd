"""Image data: ``/file`` (upload, download), ``/stage`` and ``/import`` (glance-direct)."""
import contextlib
import os
import time

import flask
from werkzeug import exceptions as http_exceptions
from werkzeug import wsgi

from common.wsgi import validation
from image import exceptions
from image.api import support
from image.api.schemas import imports as import_schemas

bp = flask.Blueprint('image_data', __name__, url_prefix='/v2/images/<image_id>')

# How much of a refused upload's body is read and thrown away (see _request_body),
# and how long a client may pause meanwhile.
DISCARD_MAX_BYTES = 64 * 1024 * 1024
DISCARD_MAX_SECONDS = 10
DISCARD_IDLE_SECONDS = 1


def _request_reader():
    """``read(n)`` over the request body, however large (never buffered whole).

    Under gunicorn, which ends the body itself (``wsgi.input_terminated``),
    its input is read directly: werkzeug's wrapper copies every chunk three
    more times, which cost a quarter of the upload rate.  The size limits
    are the pipeline's (``max_image_size`` and the quotas).

    A body that ends before its ``Content-Length`` is a client that went
    away mid-upload: gunicorn then gives short reads and end of data, not an
    error, so the count is checked here (else the truncated data would be
    stored as the whole image).  A broken chunked body (gunicorn raises an
    ``OSError``) is a client gone too.
    """
    environ = flask.request.environ
    max_size = support.backend().conf.image.max_image_size
    expected = flask.request.content_length
    if expected is not None and expected > max_size:
        raise exceptions.ImageSizeLimitExceeded(limit=max_size)
    if environ.get('wsgi.input_terminated'):
        stream = environ['wsgi.input']
    else:
        # The JSON body limit of the app does not apply to image data.
        flask.request.max_content_length = max_size
        stream = flask.request.stream
    received = 0

    def read(size):
        nonlocal received
        try:
            chunk = stream.read(size)
        except OSError as exc:
            raise http_exceptions.ClientDisconnected(
                f'The request body broke off after {received} bytes: {exc}') from None
        received += len(chunk)
        if not chunk and expected is not None and received < expected:
            raise http_exceptions.ClientDisconnected(
                f'The request body ended after {received} of its {expected} bytes.')
        return chunk
    return read


def _discard_rest(read):
    # gunicorn's socket, to bound each read: a client that stops sending
    # must not hold this thread (gunicorn then closes the connection).
    sock = flask.request.environ.get('gunicorn.socket')
    previous_timeout = sock.gettimeout() if sock is not None else None
    deadline = time.monotonic() + DISCARD_MAX_SECONDS
    discarded = 0
    try:
        while discarded < DISCARD_MAX_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if sock is not None:
                sock.settimeout(min(DISCARD_IDLE_SECONDS, remaining))
            chunk = read(1024 * 1024)
            if not chunk:
                return
            discarded += len(chunk)
    except Exception:  # noqa: BLE001 - the client is gone, idle, or its body is broken: stop
        return
    finally:
        if sock is not None:
            try:
                sock.settimeout(previous_timeout)
            except OSError:
                pass


@contextlib.contextmanager
def _request_body():
    """The request body's ``read``; when the upload fails, the unread rest is discarded.

    Clients send the whole body before they read the answer.  gunicorn
    drains at most 64 KiB of a body the app left unread, then closes the
    connection with data still unread, which resets it: the client loses
    the 409/413/400 and sees "connection reset".  Reading the rest first
    (up to a bound) lets the answer through.
    """
    read = _request_reader()
    try:
        yield read
    except Exception:
        _discard_rest(read)
        raise


@bp.put('/file')
def upload(image_id):
    backend = support.backend()
    with _request_body() as read:
        support.authorize('upload_image')
        image = backend.data.upload(image_id, support.caller(), read)
    with backend.db.reader() as session:
        body = support.render_image(session, image)
    backend.notify(support.context(), 'image.upload', body)
    backend.notify(support.context(), 'image.activate', body)
    return support.no_content()


@bp.get('/file')
def download(image_id):
    support.authorize('download_image')
    image, data = support.backend().data.open_data(image_id, support.caller())
    if data is None:
        return support.no_content()
    size = os.fstat(data.fileno()).st_size
    response = flask.Response(wsgi.wrap_file(flask.request.environ, data),
                              mimetype='application/octet-stream', direct_passthrough=True)
    response.content_length = size
    try:
        response = response.make_conditional(flask.request.environ, accept_ranges=True,
                                             complete_length=size)
    except BaseException:
        # 416: the response that owns the file is never sent, so never closed.
        data.close()
        raise
    if response.status_code == 200:
        response.headers['Content-MD5'] = image.checksum
    return response


@bp.put('/stage')
def stage(image_id):
    with _request_body() as read:
        support.authorize('stage_image')
        support.backend().data.stage(image_id, support.caller(), read)
    return support.no_content()


@bp.post('/import')
def start_import(image_id):
    body = validation.json_body(import_schemas.create)
    support.authorize('import_image')
    support.backend().data.start_import(image_id, support.caller(), body['method']['name'])
    return support.no_content(202)
