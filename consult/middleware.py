from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class GovukAssetsMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, also serving GOV.UK Frontend's fonts and images at /assets/.

    GOV.UK Frontend's precompiled stylesheet refers to its fonts and images at `/assets/...`,
    which is where its documentation says to serve them from.
    """

    def __init__(self, get_response: object = None, settings: object = settings) -> None:
        super().__init__(get_response, settings=settings)
        self.add_files(str(settings.GOVUK_FRONTEND_DIR / "assets"), prefix="assets/")
