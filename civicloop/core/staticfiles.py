"""The static-files storage of production: WhiteNoise's compressed manifest storage.

Hashed names, gzip and Brotli copies, far-future cache headers. The vendored
libraries (Leaflet, ECharts) name source maps that are not shipped, so
references to source maps are left as they are instead of failing
``collectstatic``; every other reference (CSS ``url()``, imports) is rewritten
to its hashed name.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for extension, rules in patterns:
        rules = tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))
        if rules:
            kept.append((extension, rules))
    return tuple(kept)


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
