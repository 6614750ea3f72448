"""Settings for `make demo`: the embedded SQLite database, DEBUG on, e-mail to the console."""

from .base import *  # noqa: F403

DEBUG = True
KYOSO_SAMPLE_BANNER = True
