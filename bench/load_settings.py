"""The load benchmark's settings: production's, with one URL more (the floor, ``bench/load_urls.py``).

Production never loads this module: the floor exists only on the server ``bench/load.py`` starts.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
