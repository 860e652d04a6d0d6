"""Circles on the earth without GDAL: bounding boxes for an index, haversine for the truth.

Plain Python. A zone is a circle (centre, radius in km). Finding the farms inside one is two
steps: a rectangle of latitudes and longitudes that surely holds the circle (an index on the
farms' coordinates answers that cheaply), then the exact great-circle distance of each candidate.
Arguments are ``(lat, lng)`` in WGS84 degrees, like ``farms.regions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from farms.regions import KM_PER_DEGREE, haversine_km

__all__ = ["Box", "bounding_box", "haversine_km", "KM_PER_DEGREE"]

#: Largest radius a zone may have, in km (the issue's bound; also keeps the box well away from
#: the poles and the antimeridian, which no Chinese zone comes near).
MAX_RADIUS_KM = 50


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng

    def intersects(self, other: Box) -> bool:
        return not (
            other.min_lat > self.max_lat
            or other.max_lat < self.min_lat
            or other.min_lng > self.max_lng
            or other.max_lng < self.min_lng
        )


def bounding_box(lat: float, lng: float, radius_km: float) -> Box:
    """Return a box holding every point within ``radius_km`` of (lat, lng), with a small margin.

    The longitude span is taken at the latitude farthest from the equator that the circle
    reaches, where a degree of longitude is shortest, so the box is never too small.
    """
    lat, lng, radius_km = float(lat), float(lng), float(radius_km)
    dlat = radius_km / KM_PER_DEGREE
    widest = min(89.0, abs(lat) + dlat)
    dlng = radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest)))
    # A metre of margin: rounding in the database's decimals must not drop a farm on the edge.
    margin = 0.001 / KM_PER_DEGREE
    return Box(lat - dlat - margin, lat + dlat + margin, lng - dlng - margin, lng + dlng + margin)


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in km (haversine, mean earth radius)."""
    return haversine_km(float(lat1), float(lng1), float(lat2), float(lng2))
