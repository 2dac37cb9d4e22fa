"""The pages' middleware (backoffice, portal, widget, home), passed over by API calls.

An API call carries its own credential and answers JSON in English: it has no use for a
browser session, a language, CSRF cookies, a logged-in user, flash messages or frame headers,
and running them cost about a fifth of the CPU of `GET /v2/stores`. Each class
here is Django's own, subclassed so that Django's system checks still find it,
with one change: on an API path it hands the request straight on. The API's documentation
pages stay pages.
"""

from csp.middleware import CSPMiddleware as _ContentSecurityPolicy
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Message
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.middleware.clickjacking import XFrameOptionsMiddleware as _XFrameOptions
from django.middleware.csrf import CsrfViewMiddleware as _CsrfView
from django.middleware.locale import LocaleMiddleware as _Locale

from jackpot.core.paths import is_api_call


def _pages_only(base: type) -> type:
    def __call__(self, request):
        if is_api_call(request.path_info):
            return self.get_response(request)
        return base.__call__(self, request)

    namespace = {"__call__": __call__, "__module__": __name__, "__doc__": base.__doc__}
    if hasattr(base, "process_view"):

        def process_view(self, request, view, args, kwargs):
            if is_api_call(request.path_info):
                return None
            return base.process_view(self, request, view, args, kwargs)

        namespace["process_view"] = process_view
    return type(base.__name__, (base,), namespace)


SessionMiddleware = _pages_only(_Session)
LocaleMiddleware = _pages_only(_Locale)
CsrfViewMiddleware = _pages_only(_CsrfView)
AuthenticationMiddleware = _pages_only(_Authentication)
MessageMiddleware = _pages_only(_Message)
XFrameOptionsMiddleware = _pages_only(_XFrameOptions)
ContentSecurityPolicyMiddleware = _pages_only(_ContentSecurityPolicy)
