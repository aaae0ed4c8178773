//! Shapes for the chunker's golden tests.

use std::fmt;

/// The largest number of sides.
pub const MAX_SIDES: usize = 12;

/// A point in the plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

pub enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
}

pub trait Area {
    fn area(&self) -> f64;
}

impl Area for Shape {
    fn area(&self) -> f64 {
        match self {
            Shape::Circle { radius, .. } => std::f64::consts::PI * radius * radius,
            Shape::Polygon(points) => shoelace(points),
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

impl<'a> Point {
    pub fn origin() -> Point {
        Point { x: 0.0, y: 0.0 }
    }
}

type Pair = (Point, Point);

macro_rules! point {
    ($x:expr, $y:expr) => {
        Point { x: $x, y: $y }
    };
}

mod tests;

/// shoelace computes the area of a polygon.
///
/// It is long on purpose, so that with small chunks it starts a chunk of
/// its own and is cut at inner seams.
pub(crate) fn shoelace(points: &[Point]) -> f64 {
    let n = points.len();
    if n < 3 {
        return 0.0;
    }
    let brace = '{';
    let raw = r#"a "}" in a raw string"#;
    let mut sum = 0.0;
    for i in 0..n {
        let a = points[i];
        let b = points[(i + 1) % n];
        sum += a.x * b.y - b.x * a.y;
    }

    let pairs: Vec<Pair> = points
        .iter()
        .zip(points.iter().skip(1))
        .map(|(a, b)| (*a, *b))
        .collect();
    let origin = Point::origin();
    let _ = (brace, raw, pairs.len(), origin, point!(1.0, 2.0));

    sum.abs() / 2.0
}
