"""Settings for the API benchmark: Tandem's own, plus one bare Django JSON view as the peer."""

from tandem.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
