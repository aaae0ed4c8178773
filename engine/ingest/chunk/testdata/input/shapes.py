"""Shapes and their areas, for the chunker's golden tests."""

import math
from dataclasses import dataclass

MAX_SIDES = 12
default_name = "shape"


# Decorated classes keep their decorators and comments.
@dataclass(frozen=True)
class Point:
    """A point in the plane."""

    x: float
    y: float

    def distance(self, other: "Point") -> float:
        return math.hypot(self.x - other.x, self.y - other.y)


@dataclass
class Circle:
    center: Point
    radius: float

    @property
    def area(self) -> float:
        return math.pi * self.radius ** 2

    def scaled(self, k: float) -> "Circle":
        # Calling Point() does not define it here.
        return Circle(Point(self.center.x, self.center.y), self.radius * k)


def perimeter(points):
    """Returns the perimeter of the polygon through points."""
    total = 0.0
    for a, b in zip(points, points[1:] + points[:1]):
        total += a.distance(b)
    return total


async def fetch_shapes(client, url):
    text = """
def not_a_function():
    pass
"""
    data = await client.get(url)
    return [Point(p["x"], p["y"]) for p in data] + [text]


def triangulate(points):
    """Splits a convex polygon into triangles.

    This function is long on purpose: longer than the small chunk size,
    so that it starts a chunk of its own and is cut at inner seams.
    """
    if len(points) < 3:
        raise ValueError("a polygon has at least three points")
    triangles = []
    anchor = points[0]
    for i in range(1, len(points) - 1):
        triangles.append((anchor, points[i], points[i + 1]))

    areas = []
    for a, b, c in triangles:
        area = abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) / 2
        areas.append(area)

    def heaviest():
        best = 0
        for i, area in enumerate(areas):
            if area > areas[best]:
                best = i
        return best

    result = {
        "triangles": triangles,
        "areas": areas,
        "heaviest": heaviest() if areas else None,
        "total": sum(areas),
    }
    return result


class Registry:
    def __init__(self):
        self.shapes = {}

    def add(self, name, shape):
        self.shapes[name] = shape

    def get(self, name):
        return self.shapes.get(name)
